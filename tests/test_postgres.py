"""PostgreSQL as well as SQLite: the same knowledge base, and several servers on one database.

The portability specs run on both back ends (PostgreSQL is skipped when none answers); the
two-server spec starts real `kb serve` processes and needs PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import select

from kb.access import Viewer
from kb.limits import MAX_GROUP_CHARS
from kb.models import Chunk, Document, Original, Person
from kb.search.query.hybrid import SearchRequest
from tests.conftest import (
    LOCAL_POSTGRES,
    ROOT,
    SAMPLE_BUNDLE,
    TEST_DATABASE_URL,
    BundleWriter,
    postgres_answers,
)

needs_postgres = pytest.mark.skipif(
    not (TEST_DATABASE_URL or postgres_answers(LOCAL_POSTGRES)),
    reason="needs PostgreSQL (KB_TEST_DATABASE_URL, or a server on 127.0.0.1:5432)",
)
pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portable.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create()
    yield url
    server.drop(url)


@pytest.fixture
def open_on(make_kb, database_url):
    """Return a factory of knowledge bases (instance folders by name) on the one database."""

    def factory(name: str = "instance"):
        return make_kb(name, database_url=database_url)

    return factory


def found(kb, text: str) -> list[str]:
    return [
        h.source for h in kb.finder.search(SearchRequest(text=text, viewer=Viewer.system())).hits
    ]


def test_long_free_text_values_are_stored_whole(open_on, bundle):
    long = ("följa upp och utvärdera tillsammans med hela arbetslaget " * 8).strip()
    bundle.people(
        [
            {
                "id": "anna.lind",
                "name": "Anna " + "Lind" * 80,
                "unit": "Skola" * 60,
                "email": "anna@" + "b" * 250 + ".se",
                "skills": [long],
            }
        ]
    )
    source = "reflections/" + "/".join(["långt-namn-" * 10] * 10) + ".md"
    # Past any VARCHAR(255), within kb's own limit of a group's name (kb/limits.py).
    group = long[:MAX_GROUP_CHARS].strip()
    bundle.doc(
        source,
        "Vi gjorde så här.",
        title="Lång",
        authors=["anna.lind"],
        group=group,
        step=long[:90],
        language="sv-x-" + "a" * 40,
    )
    kb = open_on()
    report = kb.documents.ingest(bundle.root)
    assert [p for p in report.problems if p.refused] == []
    with kb.db.read() as session:
        doc = session.scalar(select(Document))
        person = session.get(Person, "anna.lind")
        assert (doc.source, doc.group, doc.step) == (source, group, long[:90].strip())
        assert person.unit == "Skola" * 60 and person.skills[0].name == long


def test_lists_booleans_dates_and_original_files_come_back_as_they_went_in(open_on):
    kb = open_on()
    kb.documents.ingest(SAMPLE_BUNDLE)
    pdf = next(SAMPLE_BUNDLE.rglob("*.pdf"))
    with kb.db.read() as session:
        original = session.scalar(
            select(Original)
            .join(Document)
            .where(Document.source == pdf.relative_to(SAMPLE_BUNDLE).as_posix())
        )
        assert type(original.data) is bytes and original.data == pdf.read_bytes()
        people = session.scalars(select(Person)).all()
        assert all(isinstance(p.subjects, list) and isinstance(p.mentor, bool) for p in people)
        assert any(p.mentor for p in people) and any(p.started for p in people)
        docs = session.scalars(select(Document)).all()
        assert all(isinstance(d.tags, list) and isinstance(d.language_guessed, bool) for d in docs)


def test_the_generation_changes_with_every_add_edit_and_delete(open_on, bundle):
    kb = open_on()
    seen = []

    def generation():
        with kb.db.read() as session:
            seen.append(kb.indexes.generation(session))

    bundle.doc("material/a.md", "Första.")
    bundle.doc("material/b.md", "Andra.")
    kb.documents.ingest(bundle.root)
    generation()
    bundle.doc("material/a.md", "Första, ändrad.")
    kb.documents.ingest(bundle.root)
    generation()
    (bundle.root / "material" / "b.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    generation()
    bundle.doc("material/c.md", "Tredje.")
    kb.documents.ingest(bundle.root)
    generation()
    assert len(set(seen)) == len(seen)


def test_ids_of_deleted_documents_and_chunks_are_never_given_out_again(open_on, bundle):
    kb = open_on()
    bundle.doc("material/a.md", "Första.")
    bundle.doc("material/z.md", "Sist inlagd.")
    kb.documents.ingest(bundle.root)
    with kb.db.read() as session:
        before = (
            session.scalar(select(Document.id).where(Document.source == "material/z.md")),
            max(session.scalars(select(Chunk.id))),
        )
    (bundle.root / "material" / "z.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    bundle.doc("material/y.md", "Ny.")
    kb.documents.ingest(bundle.root)
    with kb.db.read() as session:
        new = session.scalar(select(Document).where(Document.source == "material/y.md"))
        assert new.id > before[0] and min(c.id for c in new.chunks) > before[1]


def test_an_instance_sees_documents_another_instance_folder_added_to_the_same_database(
    open_on, bundle
):
    bundle.doc("material/a.md", "Högläsning i F-3.", title="Högläsning")
    first, second = open_on("first"), open_on("second")
    first.documents.ingest(bundle.root)
    assert "material/a.md" in found(second, "högläsning")
    bundle.doc("material/b.md", "Schackklubben på rasterna.", title="Schack")
    first.documents.ingest(bundle.root)
    assert "material/b.md" in found(second, "schackklubben")
    (bundle.root / "material" / "a.md").unlink()
    first.documents.ingest(bundle.root, prune=True)
    assert "material/a.md" not in found(second, "högläsning")


def test_a_change_committed_while_an_index_sync_runs_is_found_by_the_next_search(
    open_on, bundle, tmp_path, monkeypatch
):
    from kb.catalog import Catalog
    from kb.ingest.bundle import read_bundle
    from kb.ingest.store import apply_bundle

    bundle.doc("material/a.md", "Högläsning i F-3.", title="Högläsning")
    server, writer = open_on("server"), open_on("writer")
    server.documents.ingest(bundle.root)
    elsewhere = BundleWriter(tmp_path / "elsewhere")
    elsewhere.doc("material/b.md", "Schackklubben på rasterna.", title="Schack")
    load = Catalog.load.__func__

    def load_while_another_process_commits(cls, session):
        monkeypatch.setattr(Catalog, "load", classmethod(load))
        with writer.db.write() as other:  # commits; no index is touched
            apply_bundle(other, read_bundle(elsewhere.root))
        return load(cls, session)

    monkeypatch.setattr(Catalog, "load", classmethod(load_while_another_process_commits))
    bundle.doc("material/a.md", "Högläsning i F-3, ändrad.", title="Högläsning")
    server.documents.ingest(bundle.root)
    assert "material/b.md" in found(server, "schackklubben")


# ------------------------------------------------------------------ two `kb serve` processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    """One instance folder on the shared database, driven through the real `kb` command."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.server: subprocess.Popen | None = None
        self.url = ""
        self.log_path = folder.parent / f"{folder.name}-serve.log"
        self._log = None

    def kb(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "kb.cli", "--instance", str(self.folder), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def serve(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._log = self.log_path.open("w")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kb.cli",
                "--instance",
                str(self.folder),
                "serve",
                "--port",
                str(port),
                "--threads",
                "4",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.log()
            with (
                contextlib.suppress(OSError),
                urlopen(self.url + "/api/health", timeout=5) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"{self.url} did not come up:\n{self.log()}")

    def search(self, token: str, text: str) -> list[str]:
        request = Request(
            f"{self.url}/api/search?{urlencode({'q': text})}",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urlopen(request, timeout=10) as response:
            return [hit["source"] for hit in json.load(response)["hits"]]

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self._log is not None:
            self._log.close()


@pytest.fixture
def two_instances(postgres_server, tmp_path):
    """Two instance folders on one fresh PostgreSQL database, with the fake embedder."""
    url = postgres_server.create()
    env = {k: v for k, v in os.environ.items() if k not in ("KB_INSTANCE", "KB_TEST_DATABASE_URL")}
    env.update(KB_EMBEDDER="fake", KB_DATABASE_URL=url, HF_HUB_OFFLINE="1")
    pair = (Instance(tmp_path / "first", env), Instance(tmp_path / "second", env))
    yield pair
    for instance in pair:
        instance.stop()
    postgres_server.drop(url)


@needs_postgres
def test_a_document_ingested_beside_one_server_is_found_through_the_other_within_seconds(
    two_instances, bundle
):
    first, second = two_instances
    bundle.doc(
        "material/hoglasning.md",
        "Högläsning i F-3 varje morgon.",
        title="Högläsning",
        authors=["anna.lind"],
    )
    first.kb("ingest", str(bundle.root))
    token = first.kb("token", "create", "anna.lind").strip().splitlines()[-1]
    first.serve()
    second.serve()
    first.wait_until_up()
    second.wait_until_up()
    # The second server listens at once and catches its own indexes up in the background.
    deadline = time.monotonic() + 60
    while second.search(token, "högläsning") != ["material/hoglasning.md"]:
        assert time.monotonic() < deadline, "the second server never caught up"
        time.sleep(0.2)

    bundle.doc(
        "material/schack.md", "Schackklubben på rasterna.", title="Schack", authors=["anna.lind"]
    )
    first.kb("ingest", str(bundle.root))
    deadline = time.monotonic() + 30
    while "material/schack.md" not in second.search(token, "schackklubben"):
        assert time.monotonic() < deadline, "the second server never found the new document"
        time.sleep(0.2)
    assert "material/schack.md" in first.search(token, "schackklubben")
