"""never give a deleted document's or chunk's id to a new one

SQLite hands out max(id) + 1, so deleting the newest document and adding another reused its
id: an index that had not caught up yet took the new document for the old one, and the
generation fingerprint (count, max id, sum of revisions) could come back to an earlier value.
AUTOINCREMENT makes SQLite's ids grow for good, as PostgreSQL's sequences always do.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("documents", "chunks")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # kb.db.upgrade runs SQLite migrations with foreign keys off, inside one transaction, so
    # rebuilding a table neither cascades deletes to its children nor leaves it half-done.
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS _alembic_tmp_{table}")
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": False}):
            pass
