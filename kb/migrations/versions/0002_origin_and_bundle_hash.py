"""Documents remember where they came from; people their last people.yaml entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=10), nullable=False,
                                   server_default="bundle"))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("bundle_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("bundle_hash")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("origin")
