"""material requests keep every answer

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["material_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "source"),
    )
    op.create_index("ix_request_answers_request_id", "request_answers", ["request_id"])
    op.create_index("ix_request_answers_source", "request_answers", ["source"])


def downgrade() -> None:
    op.drop_table("request_answers")
