"""document_versions: every state of a web document, and deletions that can be undone

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("original", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_document_versions_source", "document_versions", ["source"])


def downgrade() -> None:
    op.drop_index("ix_document_versions_source", table_name="document_versions")
    op.drop_table("document_versions")
