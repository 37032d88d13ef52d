"""free text without length limits

PostgreSQL enforces VARCHAR(n) and SQLite never did: a long group, step, unit, skill or path
stored fine on SQLite but failed the whole ingest on PostgreSQL. Make them TEXT everywhere.
(SQLite rebuilds the tables; kb.db.upgrade runs that with foreign keys off, in one transaction.)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "people": [("id", 120), ("name", 200), ("email", 200), ("unit", 200)],
    "skills": [("person_id", 120), ("name", 300)],
    "mentorships": [("mentor_id", 120), ("mentee_id", 120)],
    "documents": [("source", 1000), ("language", 20), ("group", 300), ("step", 40)],
    "authorships": [("person_id", 120)],
    "originals": [("filename", 300), ("media_type", 120)],
    "api_tokens": [("person_id", 120)],
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        op.execute(f"DROP TABLE IF EXISTS _alembic_tmp_{table}")
        with op.batch_alter_table(table) as batch:
            for column, length in columns:
                batch.alter_column(column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column, length in columns:
                batch.alter_column(column, type_=sa.String(length), existing_type=sa.Text())
