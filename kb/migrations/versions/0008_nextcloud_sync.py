"""sync_files and sync_runs: the state of syncing remote folders (Nextcloud, WebDAV)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=40), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("is_folder", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("sidecar_etag", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("modified", sa.Text(), nullable=True),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_name", "path"),
    )
    op.create_index("ix_sync_files_source_name", "sync_files", ["source_name"])
    op.create_index("ix_sync_files_document", "sync_files", ["document"])
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=40), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_runs_source_name", "sync_runs", ["source_name"])


def downgrade() -> None:
    op.drop_index("ix_sync_runs_source_name", table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_sync_files_document", table_name="sync_files")
    op.drop_index("ix_sync_files_source_name", table_name="sync_files")
    op.drop_table("sync_files")
