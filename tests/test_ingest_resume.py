"""A large ingest is resumable: `kb ingest` killed with SIGKILL at any point and run again
picks up where it stopped, and loses nothing.

A real `kb ingest` process reads a generated bundle of a few hundred documents
(scripts/gen_bundle.py) and is killed while it reads, while it stores, or once every document
is stored and it indexes; the next run must leave every document there once, whole and
searchable, the indexes matching the database, and must not store or read again what the
first run finished.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy import select as sql_select
from sqlalchemy.pool import NullPool

from kb.ingest.rows import document_chunks
from kb.models import Chunk, Document
from tests.conftest import ROOT

DOCUMENTS = 800


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory) -> Path:
    """A generated bundle of DOCUMENTS short Markdown files (material and reflections)."""
    out = tmp_path_factory.mktemp("resume") / "bundle"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "gen_bundle.py"),
            str(out),
            "--docs",
            str(DOCUMENTS),
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def database(request, tmp_path, instance_database_url):
    """The URL of the instance's database (None: its own SQLite file, as a user's would be)."""
    if request.param == "sqlite":
        yield instance_database_url(tmp_path / "instance")
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create()
    yield url
    server.drop(url)


def ingest(instance: Path, bundle: Path, url: str | None, log: Path | None = None):
    """Start `kb ingest BUNDLE` as a user would, with the fake embedder and progress shown;
    its output goes to `log` when given (a file: a child nobody reads never waits on a pipe)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KB_INSTANCE", "KB_DATABASE_URL")}
    env.update(KB_EMBEDDER="fake", KB_PROGRESS="1", HF_HUB_OFFLINE="1")
    if url:
        env["KB_DATABASE_URL"] = url
    command = [sys.executable, "-m", "kb.cli", "--instance", str(instance), "ingest", str(bundle)]
    with open(log, "w") if log else contextlib.nullcontext(subprocess.PIPE) as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out, text=True)


def counts(url: str) -> tuple[int, int]:
    """Return (people, documents) the database holds now; (0, 0) before its tables exist."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM people")).scalar()
            docs = conn.execute(text("SELECT count(*) FROM documents")).scalar()
            return people, docs
    except Exception:  # no file or no tables yet: the child is still starting
        return 0, 0
    finally:
        engine.dispose()


def kill_when(child: subprocess.Popen, log: Path, url: str, ready, timeout: float = 300) -> int:
    """SIGKILL the child once ready(people, documents) holds; return the documents stored."""
    deadline = time.monotonic() + timeout
    while not ready(*counts(url)):
        assert child.poll() is None, f"the ingest ended before the kill: {log.read_text()}"
        assert time.monotonic() < deadline, "the ingest never got there"
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    return counts(url)[1]


def tally(output: str, kind: str) -> dict[str, int]:
    """Read `kind: N (a added, u updated, c unchanged)` from an ingest's report."""
    found = re.search(rf"^{kind}: \d+ \((\d+) added, (\d+) updated, (\d+) unchanged", output, re.M)
    assert found, output
    return dict(zip(("added", "updated", "unchanged"), map(int, found.groups()), strict=True))


# Where the first run is killed: (people, documents) in the database when it is.
KILL_POINTS = {
    "reading": lambda people, docs: people > 0 and docs == 0,
    "storing": lambda people, docs: docs > 0,
    "indexing": lambda people, docs: docs == DOCUMENTS,
}


@pytest.mark.parametrize(
    "point, database",
    [
        ("reading", "sqlite"),
        ("storing", "sqlite"),
        ("indexing", "sqlite"),
        ("storing", "postgresql"),
    ],
    indirect=["database"],
)
def test_an_ingest_killed_at_any_point_goes_on_where_it_stopped_and_loses_nothing(
    point, database, big_bundle, tmp_path, make_kb
):
    instance = tmp_path / "instance"
    # Read-only: polling must never create the file the ingest is about to.
    url = database or f"sqlite:///file:{instance / 'kb.sqlite3'}?mode=ro&uri=true"

    log = tmp_path / "first-run.log"
    first = ingest(instance, big_bundle, database, log)
    stored = kill_when(first, log, url, KILL_POINTS[point])
    assert point != "storing" or 0 < stored < DOCUMENTS  # killed between two batches
    again = ingest(instance, big_bundle, database)
    output, errors = again.communicate(timeout=600)

    assert again.returncode == 0, errors
    material, reflections = tally(output, "material"), tally(output, "reflections")
    both = {k: material[k] + reflections[k] for k in material}
    assert both == {"added": DOCUMENTS - stored, "updated": 0, "unchanged": stored}
    reused = re.search(r"^not read again: (\d+) files", output, re.M)
    assert (int(reused.group(1)) if reused else 0) == stored
    if point == "reading":
        assert "people: 512 (0 added, 0 updated, 512 unchanged)" in output
    kb = make_kb("instance", database_url=database) if database else make_kb("instance")
    assert_every_document_once_whole_and_searchable(kb, big_bundle)


def assert_every_document_once_whole_and_searchable(kb, bundle: Path) -> None:
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*.md")}
    with kb.db.read() as session:
        sources = list(session.scalars(sql_select(Document.source)))
        documents = session.execute(sql_select(Document.id, Document.text, Document.title)).all()
        chunks: dict[int, list[str]] = {}
        rows = sql_select(Chunk.document_id, Chunk.text).order_by(Chunk.document_id, Chunk.ordinal)
        for doc_id, chunk in session.execute(rows):
            chunks.setdefault(doc_id, []).append(chunk)
        revisions = dict(session.execute(sql_select(Document.id, Document.revision)).all())
        chunk_ids = set(session.scalars(sql_select(Chunk.id)))
        assert session.scalar(sql_select(func.count(func.distinct(Chunk.document_id)))) == len(
            files
        )
    assert sorted(sources) == sorted(files)
    for doc_id, body, _ in documents:  # no document stored in part
        assert chunks.get(doc_id, []) == document_chunks(body)[0], doc_id
    kb.indexes.catalog()  # the command line syncs the indexes here
    keyword = kb.indexes.keyword
    assert keyword.revisions() == revisions and keyword.doc_count() == len(files)
    assert {int(i) for i in kb.indexes.vectors.ids()} == chunk_ids
    assert {int(i) for i in kb.indexes.sparse_index.ids()} == chunk_ids
    for doc_id, _, title in documents[:: len(documents) // 20]:
        assert doc_id in {h.doc_id for h in keyword.search(title, None, len(files))}, title


def test_kb_ingest_shows_each_stage_with_its_rate_and_time_left(bundle, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kb.cli import main

    for n in range(5):
        bundle.doc(f"material/m{n}.md", f"Text nummer {n} om boksamtal.")
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    monkeypatch.setenv("KB_PROGRESS", "1")

    result = CliRunner().invoke(
        main, ["--instance", str(tmp_path / "instance"), "ingest", str(bundle.root)]
    )

    assert result.exit_code == 0, result.output
    for stage in ("reading", "storing", "indexing", "embedding"):
        lines = [ln for ln in re.split(r"[\r\n]", result.stderr) if ln.startswith(f"{stage}:")]
        assert any(re.search(r"\d+/\d+ \[[\d:]+<[\d:?]+, +[\d.?]+\w+/s\]", ln) for ln in lines), (
            stage
        )
