"""documents: owners and review dates; search gaps; material requests

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("owners", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reviewed", sa.Date(), nullable=True))
        batch.add_column(sa.Column("review_by", sa.Date(), nullable=True))
    op.create_table(
        "search_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "gap_askers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gap_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["gap_id"], ["search_gaps.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gap_id", "tag"),
    )
    op.create_index("ix_gap_askers_gap_id", "gap_askers", ["gap_id"])
    op.create_table(
        "gap_weeks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gap_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["gap_id"], ["search_gaps.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gap_id", "week"),
    )
    op.create_index("ix_gap_weeks_gap_id", "gap_weeks", ["gap_id"])
    op.create_table(
        "pending_searches",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tag", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("ix_pending_searches_at", "pending_searches", ["at"])
    op.create_table(
        "material_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.Text(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("experts", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["asked_by"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_material_requests_asked_by", "material_requests", ["asked_by"])
    op.create_index("ix_material_requests_answer", "material_requests", ["answer"])
    op.create_table(
        "request_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["material_requests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "person_id"),
    )
    op.create_index("ix_request_votes_request_id", "request_votes", ["request_id"])
    op.create_index("ix_request_votes_person_id", "request_votes", ["person_id"])


def downgrade() -> None:
    for table in ("request_votes", "material_requests", "pending_searches", "gap_weeks",
                  "gap_askers", "search_gaps"):
        op.drop_table(table)
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("review_by")
        batch.drop_column("reviewed")
        batch.drop_column("owners")
