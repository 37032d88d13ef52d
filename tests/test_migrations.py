"""The schema comes from Alembic migrations, and they match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from kb.db import alembic_config, make_engine, upgrade
from kb.models import Base


def test_the_migrations_build_exactly_the_schema_the_models_describe(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_a_database_of_the_first_release_is_upgraded_without_losing_documents(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO documents (source, kind, format, title, subjects, grades, tags, "
                "language_guessed, visibility, text, content_hash, revision, extra) VALUES "
                "('material/a.md', 'material', 'md', 'A', '[]', '[]', '[]', 0, 'all', 'Text', "
                "'h', 1, '{}')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT source, origin FROM documents")).one()
    assert tuple(row) == ("material/a.md", "bundle")
