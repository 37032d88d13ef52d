"""Shared fixtures: instances with the fake embedder, bundles written on the fly.

Every instance runs its keyword leg on the default engine (tantivy); with
`KB_TEST_KEYWORD_BACKEND=whoosh` on Whoosh. The keyword, crash and repair specs run on both
either way (tests/test_keyword_backends.py, tests/test_crash.py, tests/test_self_repair.py).
With `KB_TEST_DATABASE_URL` set (an admin URL of a PostgreSQL server, e.g.
postgresql+psycopg2://postgres@127.0.0.1:5432/postgres) every instance folder a test opens
gets a fresh database of its own on that server instead of its SQLite file.
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
import uuid
import weakref
from pathlib import Path

import pytest

from kb.config import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_BUNDLE = SHARED / "sample-bundle"
BROKEN_BUNDLE = SHARED / "sample-bundle-broken"
DEMO_BUNDLE = ROOT / "kb" / "demo" / "bundle"

TEST_DATABASE_URL = os.environ.get("KB_TEST_DATABASE_URL", "").strip()
# The keyword engine of every instance the run opens (whoosh or tantivy), servers included:
# KB_TEST_KEYWORD_BACKEND=whoosh runs the keyword and search specs on Whoosh.
KEYWORD_BACKEND = os.environ.get("KB_TEST_KEYWORD_BACKEND", "").strip() or Settings.keyword_backend
if os.environ.get("KB_TEST_KEYWORD_BACKEND", "").strip():
    os.environ["KB_KEYWORD_BACKEND"] = KEYWORD_BACKEND
LOCAL_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "postgres: portability and multi-server specs (PostgreSQL "
        "parts skip when no server answers)",
    )
    config.addinivalue_line("markers", "crash: kills processes at random points (slower)")
    if TEST_DATABASE_URL and not postgres_answers(TEST_DATABASE_URL):
        raise pytest.UsageError(
            f"KB_TEST_DATABASE_URL is set, but no PostgreSQL answers at {TEST_DATABASE_URL}"
        )


def postgres_answers(url: str = LOCAL_POSTGRES, timeout: float = 1.0) -> bool:
    """Tell whether a PostgreSQL server accepts TCP connections at the URL's host and port."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    try:
        with socket.create_connection(
            (parsed.host or "127.0.0.1", parsed.port or 5432), timeout=timeout
        ):
            return True
    except OSError:
        return False


class PostgresDatabases:
    """Create throw-away databases (kb_t_<random>) on one server; drop them when done."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.admin_url = make_url(admin_url)
        self._admin = create_engine(
            self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self._engines: dict[str, weakref.WeakSet] = {}
        self._lock = threading.Lock()

    def create(self, template: str | None = None) -> str:
        """Create an empty database (or a copy of the template database) and return its URL."""
        from sqlalchemy import text

        name = f"kb_t_{uuid.uuid4().hex[:16]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        with self._lock:
            self._engines[name] = weakref.WeakSet()
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def track(self, engine) -> None:
        """Remember an engine on one of our databases, to dispose of it before the drop."""
        with self._lock:
            engines = self._engines.get(engine.url.database)
            if engines is not None:
                engines.add(engine)

    def drop(self, url: str) -> None:
        """Dispose of every engine on the database, then drop it (and any straggler session)."""
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self._lock:
            engines = list(self._engines.pop(name, ()))
        for engine in engines:
            engine.dispose()
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in list(self._engines):
            self.drop(self.admin_url.set(database=name).render_as_string(hide_password=False))
        self._admin.dispose()


class InstanceDatabases:
    """Give every instance folder that opens a knowledge base its own fresh database.

    Databases made while a test runs are dropped when it ends; those made for module- or
    session-wide instances (before any test of theirs starts) when the session ends.
    """

    def __init__(self, server: PostgresDatabases) -> None:
        self.server = server
        self.by_instance: dict[Path, str] = {}
        self.made_in_test: list[str] | None = None
        self.made_outside: list[str] = []

    def url_for(self, instance_path: Path) -> str:
        key = Path(instance_path).resolve()
        if key not in self.by_instance:
            url = self.server.create()
            self.by_instance[key] = url
            (self.made_in_test if self.made_in_test is not None else self.made_outside).append(url)
        return self.by_instance[key]

    def clone(self, template: Path, folder: Path) -> None:
        """Give folder a copy of template's database; keep template's for the whole session."""
        from sqlalchemy.engine import make_url

        source = self.by_instance[Path(template).resolve()]
        if self.made_in_test and source in self.made_in_test:
            self.made_in_test.remove(source)
            self.made_outside.append(source)
        url = self.server.create(template=make_url(source).database)
        self.by_instance[Path(folder).resolve()] = url
        (self.made_in_test if self.made_in_test is not None else self.made_outside).append(url)

    def begin_test(self) -> None:
        self.made_in_test = []

    def end_test(self) -> None:
        made, self.made_in_test = self.made_in_test or [], None
        self._drop(made)

    def close(self) -> None:
        self._drop(self.made_outside)
        self.made_outside = []

    def _drop(self, urls: list[str]) -> None:
        gone = set(urls)
        self.by_instance = {k: v for k, v in self.by_instance.items() if v not in gone}
        for url in urls:
            self.server.drop(url)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Hash test passwords with scrypt at n=2**12: the same code, an eighth of the work."""
    from kb import accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")
        yield


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for throw-away databases: KB_TEST_DATABASE_URL, else the local one.

    Skips when neither answers.
    """
    url = TEST_DATABASE_URL or LOCAL_POSTGRES
    if not postgres_answers(url):
        pytest.skip(f"no PostgreSQL answers at {url}")
    server = PostgresDatabases(url)
    yield server
    server.close()


@pytest.fixture(scope="session", autouse=True)
def _instance_databases(request):
    """With KB_TEST_DATABASE_URL set, point every test instance at a fresh PostgreSQL database.

    Only instances left on their default SQLite file are moved; a test that names a database
    itself (settings, kb.toml or KB_DATABASE_URL) keeps it.
    """
    if not TEST_DATABASE_URL:
        yield None
        return
    from dataclasses import replace

    from kb.service import KnowledgeBase
    from tests import helpers

    server = request.getfixturevalue("postgres_server")
    databases = InstanceDatabases(server)
    original_init = KnowledgeBase.__init__

    def init(self, settings, *args, **kwargs):
        default = f"sqlite:///{settings.instance_path / 'kb.sqlite3'}"
        if settings.database_url == default:
            settings = replace(settings, database_url=databases.url_for(settings.instance_path))
        original_init(self, settings, *args, **kwargs)
        server.track(self.db.engine)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KnowledgeBase, "__init__", init)
        patch.setattr(helpers, "clone_database", databases.clone)
        yield databases
    databases.close()


@pytest.fixture(autouse=True)
def _drop_test_databases(_instance_databases):
    """Drop the databases this test's instances got (KB_TEST_DATABASE_URL only)."""
    if _instance_databases is None:
        yield
        return
    _instance_databases.begin_test()
    yield
    _instance_databases.end_test()


@pytest.fixture
def instance_database_url(_instance_databases):
    """Return the database URL a child process should use for an instance folder.

    None with SQLite (the instance's own file); a fresh PostgreSQL database under
    KB_TEST_DATABASE_URL, the same one in-process knowledge bases on that folder get.
    """

    def url_for(instance_path: Path) -> str | None:
        if _instance_databases is None:
            return None
        return _instance_databases.url_for(instance_path)

    return url_for


@pytest.fixture
def make_kb(tmp_path):
    """Return a factory of knowledge bases in fresh instance folders, with the fake embedder."""
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.search.model.sparse import FakeSparseEncoder
    from kb.service import KnowledgeBase

    opened = []

    def factory(name: str = "instance", **overrides) -> KnowledgeBase:
        kb = KnowledgeBase(
            load_settings(tmp_path / name, embedder="fake", **overrides),
            embedder=FakeEmbedder(),
            sparse_encoder=FakeSparseEncoder(),
        )
        opened.append(kb)
        return kb

    yield factory
    for kb in opened:
        kb.close()


@pytest.fixture
def kb(tmp_path, make_kb):
    """A knowledge base holding the shared sample bundle."""
    from tests.helpers import ingested_copy

    # An absolute folder replaces make_kb's tmp_path (pathlib joins that way).
    return ingested_copy(tmp_path / "instance", SAMPLE_BUNDLE, make_kb, key=("make_kb",))


class BundleWriter:
    """Write a small bundle file by file, the way a school's folder would look."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.people(
            [
                {"id": "anna.lind", "name": "Anna Lind", "unit": "Björkskolan"},
                {"id": "per.ek", "name": "Per Ek", "unit": "Björkskolan"},
                {"id": "sara.berg", "name": "Sara Berg", "unit": "Ekskolan"},
            ]
        )

    def people(self, entries: list[dict]) -> None:
        import yaml

        (self.root / "people.yaml").write_text(
            yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    def write(self, source: str, content: str | bytes) -> Path:
        path = self.root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        return path

    def doc(self, source: str, body: str = "Text.", **meta) -> Path:
        import yaml

        meta.setdefault("title", Path(source).stem)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        return self.write(source, f"---\n{front}---\n\n{textwrap.dedent(body).strip()}\n")


@pytest.fixture
def bundle(tmp_path) -> BundleWriter:
    return BundleWriter(tmp_path / "bundle")


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run the `kb` command line in-process against a fresh instance; return the result."""
    from click.testing import CliRunner

    from kb.cli import main

    monkeypatch.setenv("KB_EMBEDDER", "fake")
    instance = tmp_path / "cli-instance"

    def run(*args: str, instance_dir: Path | None = None):
        return CliRunner().invoke(
            main, ["--instance", str(instance_dir or instance), *args], catch_exceptions=False
        )

    return run


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory, request):
    """The sample bundle with passwords set, one per test module (pages only read from it)."""
    from tests.helpers import open_kb

    base = open_kb(
        tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), SAMPLE_BUNDLE
    )
    yield base
    base.close()


@pytest.fixture
def client(shared_kb):
    """A client logged in as Karin Sjöberg over the module's shared knowledge base."""
    from tests.helpers import logged_in_client

    return logged_in_client(shared_kb, "karin.sjoberg")
