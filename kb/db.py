"""Engine, sessions and migrations of the knowledge base's database."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# Key of the PostgreSQL advisory lock that lets one process at a time migrate a database.
MIGRATION_LOCK = 0x6B62_6D69_6772


class MigrationError(RuntimeError):
    """A migration left the database inconsistent; it was rolled back."""


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, full sync and enforced foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: an acknowledged write survives power loss and kill -9.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to the engine."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    """Build an Alembic config pointing at kb's migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(engine: Engine) -> str | None:
    """Return the database's migration revision (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Return the newest migration's revision."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration, all of it or nothing.

    Quick when the database is already there. Processes starting together take turns: SQLite
    through its write lock, PostgreSQL through an advisory lock; the second finds nothing left
    to do. SQLite migrations run with foreign keys off (rebuilding a table must not cascade
    deletes to its children) and are checked before they commit.
    """
    from alembic import command

    if current_revision(engine) == head_revision():
        return
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        try:
            if sqlite:
                # Only outside a transaction does this pragma take effect; pysqlite has not
                # begun one yet. BEGIN IMMEDIATE makes the DDL transactional and exclusive.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise MigrationError(f"foreign keys broken by the migration: {broken[:5]}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


class Database:
    """One instance's database: its engine and the two kinds of session kb uses."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        upgrade(self.engine)
        self.sessions = make_sessionmaker(self.engine)

    def read(self) -> Session:
        """Return a session to read in (used as a context manager; nothing is committed)."""
        return self.sessions()

    @contextmanager
    def snapshot(self):
        """Yield a session whose reads all see one state of the database, until it commits.

        PostgreSQL reads it at REPEATABLE READ; SQLite (whose driver begins a transaction
        only before a write) begins one here, which in WAL mode never blocks a writer.
        """
        with self.sessions() as session:
            if self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN")
            else:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def write(self):
        """Yield a session that commits on success and rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
