"""single sign-on: identities, used SAML assertions, the coordinator role from the IdP

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("idp_coordinator", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("last_login", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "subject"),
    )
    op.create_index("ix_sso_identities_person_id", "sso_identities", ["person_id"])
    op.create_table(
        "sso_used_assertions",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sso_used_assertions_expires_at", "sso_used_assertions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("sso_used_assertions")
    op.drop_table("sso_identities")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("idp_coordinator")
