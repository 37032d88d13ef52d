"""Crash safety: the database is the truth; the keyword, vector and sparse indexes follow it.

Child processes (scripts/crash_indexer.py) write and index an instance and are killed with
SIGKILL at random points; the instance, opened normally afterwards, must hold every document
the database holds and nothing else, in every index, each at its current content. Each spec
that touches the keyword index runs on both engines (tantivy, the default, and Whoosh).
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select as sql_select

from kb.models import Chunk, Document
from kb.search.indexes.backends import BACKENDS
from kb.search.indexes.indexer import passage_text
from tests.conftest import ROOT, BundleWriter

SCRIPT = ROOT / "scripts" / "crash_indexer.py"
ROUNDS = int(os.environ.get("KB_CRASH_ROUNDS", "8"))
# The lock file each engine's writer takes (an flock: the kernel drops it with its holder).
WRITE_LOCK = {"whoosh": "kb_WRITELOCK", "tantivy": ".tantivy-writer.lock"}
# Files an engine keeps beside its segments for good (its locks, its list of files).
ENGINE_FILES = {".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock"}
TANTIVY_SEGMENT_FILE = re.compile(r"(?P<segment>[0-9a-f]{32})(\.\d+)?\.[a-z]+")


@pytest.fixture(params=BACKENDS)
def engine(request, monkeypatch):
    """Run the spec on each keyword engine, in this process and in the children it starts."""
    monkeypatch.setenv("KB_KEYWORD_BACKEND", request.param)
    return request.param


class Child:
    """A crash_indexer.py process whose output lines can be awaited."""

    def __init__(self, mode: str, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT), mode, *map(str, args)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self._buffer = b""

    def wait_for(self, prefix: str, timeout: float = 60) -> str:
        """Return the first output line starting with prefix; fail if the child dies first."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines:
                if line.startswith(prefix):
                    return line
            left = deadline - time.monotonic()
            assert left > 0, f"no {prefix!r} from the child in {timeout} s"
            ready, _, _ = select.select([self.process.stdout], [], [], min(left, 0.5))
            if ready:
                self._read()
            elif self.process.poll() is not None:
                raise AssertionError(f"the child died: {self.process.stderr.read().decode()}")

    def _read(self) -> None:
        data = os.read(self.process.stdout.fileno(), 65536)
        if not data and self.process.poll() is not None:
            raise AssertionError(f"the child died: {self.process.stderr.read().decode()}")
        *complete, self._buffer = (self._buffer + data).split(b"\n")
        self.lines.extend(line.decode() for line in complete)

    def kill(self) -> None:
        """SIGKILL: no clean-up, no atexit, no flushing of anything."""
        if self.process.stdout.closed:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        with_rest = self.process.stdout.read()
        *complete, _ = (self._buffer + with_rest).split(b"\n")
        self.lines.extend(line.decode() for line in complete)
        self._buffer = b""
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def spawn(instance_database_url):
    """Start crash_indexer.py children on an instance; kill whatever is left at the end."""
    children: list[Child] = []

    def start(mode: str, instance: Path, *args: str) -> Child:
        env = {k: v for k, v in os.environ.items() if k not in ("KB_INSTANCE", "KB_DATABASE_URL")}
        env["HF_HUB_OFFLINE"] = "1"
        url = instance_database_url(instance)
        if url:
            env["KB_DATABASE_URL"] = url
        child = Child(mode, instance, *args, env=env)
        children.append(child)
        return child

    yield start
    for child in children:
        child.kill()


def assert_indexes_match_database(kb) -> None:
    """Every document in the database is in every index at its current revision and content;
    nothing else is in any index."""
    with kb.db.read() as session:
        revisions = dict(session.execute(sql_select(Document.id, Document.revision)).all())
        titles = dict(session.execute(sql_select(Document.id, Document.title)).all())
        chunks = session.execute(
            sql_select(Chunk.id, Chunk.text, Document.title).join(Document)
        ).all()
    assert kb.indexes.keyword.revisions() == revisions
    for doc_id, title in titles.items():
        assert doc_id in {h.doc_id for h in kb.indexes.keyword.search(title, None, len(titles))}, (
            title
        )
    chunk_ids = {c.id for c in chunks}
    assert {int(i) for i in kb.indexes.vectors.ids()} == chunk_ids
    assert {int(i) for i in kb.indexes.sparse_index.ids()} == chunk_ids
    # The vector stored under a chunk id is that of the chunk's current text.
    passages = [passage_text(c.title, c.text) for c in chunks]
    dense = kb.indexes.embedder.embed_passages(passages)
    sparse = kb.indexes.sparse_encoder.encode_passages(passages)
    for row, chunk in enumerate(chunks):
        [(_, score)] = kb.indexes.vectors.search(dense[row : row + 1], 1, allowed_ids=[chunk.id])
        assert score == pytest.approx(1.0, abs=1e-4), chunk.id
        ids, scores = kb.indexes.sparse_index.scores(sparse[row])
        score = float(scores[list(ids).index(chunk.id)])
        expected = float(sparse[row].multiply(sparse[row]).sum())
        assert score == pytest.approx(expected, rel=1e-4), chunk.id


def start_bundle(root: Path, documents: int = 30) -> BundleWriter:
    bundle = BundleWriter(root)
    rng = random.Random(0)
    words = ("högläsning", "boksamtal", "källkritik", "matematik", "schack", "bedömning")
    for n in range(documents):
        bundle.doc(
            f"material/start-{n}.md",
            " ".join(rng.choice(words) for _ in range(150)),
            title=f"Startdokument {n}",
            authors=["anna.lind"],
        )
    return bundle


@pytest.mark.crash
def test_no_document_is_lost_or_ghosted_when_indexers_are_killed_at_random_points(
    make_kb, tmp_path, spawn, engine
):
    instance = tmp_path / "instance"
    bundle = start_bundle(tmp_path / "bundle")
    make_kb("instance").documents.ingest(bundle.root)
    rng = random.Random(os.environ.get("KB_CRASH_SEED", "kb"))
    ingested = 0
    for round_ in range(ROUNDS):
        # `kb ingest --prune` of a changing bundle beside a server catching its indexes up.
        writer = spawn("ingest", instance, bundle.root, f"{round_}")
        server = spawn("sync", instance)
        writer.wait_for("ready")
        server.wait_for("ready")
        # The first ingest of a fresh process warms up (imports, the extraction child) for
        # about a second on a busy 2-core machine; the kills come at random points after it,
        # inside the ingest-and-sync loop they are meant to interrupt.
        writer.wait_for("ingested")
        victims = [writer, server]
        rng.shuffle(victims)
        for victim in victims:
            time.sleep(rng.uniform(0.0, 1.2))
            victim.kill()
        ingested += sum(line == "ingested" for line in writer.lines)
    assert ingested >= ROUNDS, "every round must have ingested before its kills"

    kb = make_kb("instance")  # opened normally: the start-up repair runs on first use
    kb.indexes.catalog()
    assert_indexes_match_database(kb)
    # The stream picks up where the last kill stopped it.
    kb.documents.ingest(bundle.root, prune=True)
    with kb.db.read() as session:
        in_database = set(session.scalars(sql_select(Document.source)))
    assert in_database == {p.relative_to(bundle.root).as_posix() for p in bundle.root.rglob("*.md")}
    assert_indexes_match_database(kb)
    assert_nothing_left_behind(kb)


def assert_nothing_left_behind(kb) -> None:
    """No half-written file of a killed save or commit outlives the next sync."""
    index = kb.settings.index_path
    assert sorted(p.name for p in (index / "vectors").iterdir()) == [
        "vectors.faiss",
        "vectors.json",
    ]
    assert sorted(p.name for p in (index / "sparse").iterdir()) == ["sparse.json", "sparse.npz"]
    keyword = kb.indexes.keyword
    if keyword.backend == "whoosh":
        assert len(list(keyword.path.glob("*.toc"))) == 1
        segments = {s.make_filename(".seg") for s in keyword.ix._segments()}
        assert {p.name for p in keyword.path.glob("*.seg")} == segments
    else:
        assert unnamed_files(keyword.path) == set()


def unnamed_files(folder: Path) -> set[str]:
    """Return the files of a tantivy index that its meta.json does not name (leftovers)."""
    meta = json.loads((folder / "meta.json").read_text())
    live = {s["segment_id"].replace("-", "") for s in meta["segments"]}
    files = {p.name for p in folder.iterdir()} - ENGINE_FILES - {"meta.json", "kb-schema-version"}
    return {name for name in files if segment_of(name) not in live}


def segment_of(name: str) -> str | None:
    """Return the segment a tantivy file belongs to (None: not a segment's file)."""
    found = TANTIVY_SEGMENT_FILE.fullmatch(name)
    return found["segment"] if found else None


def segment_files(keyword) -> list[Path]:
    """Return the files of the keyword index's segments (not its table of contents)."""
    if keyword.backend == "whoosh":
        return sorted(keyword.path.glob("*.seg"))
    return sorted(p for p in keyword.path.iterdir() if segment_of(p.name))


def test_every_acknowledged_write_survives_kill_9(make_kb, tmp_path, spawn):
    instance = tmp_path / "instance"
    make_kb("instance").close()  # creates the database and its schema
    child = spawn("commit", instance)
    child.wait_for("ready")
    child.wait_for("ok material/ack-5.md")
    child.kill()
    acknowledged = {line.split(" ", 1)[1] for line in child.lines if line.startswith("ok ")}
    kb = make_kb("instance")
    with kb.db.read() as session:
        stored = set(session.scalars(sql_select(Document.source)))
    assert acknowledged and acknowledged <= stored


def test_locks_left_by_a_killed_process_do_not_block_the_next_start(
    make_kb, tmp_path, spawn, bundle, engine
):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    make_kb("instance").documents.ingest(bundle.root)
    holder = spawn("hold-locks", tmp_path / "instance")
    holder.wait_for("ready")
    holder.kill()
    index = tmp_path / "instance" / "index"
    assert (index / ".lock").exists() and (index / engine / WRITE_LOCK[engine]).exists()
    bundle.doc("material/boksamtal.md", "Boksamtal i årskurs 5.", title="Boksamtal")
    started = time.monotonic()
    kb = make_kb("instance")
    kb.documents.ingest(bundle.root)
    assert time.monotonic() - started < 10
    assert_indexes_match_database(kb)


@pytest.mark.parametrize("damage", ["torn", "missing"])
def test_a_damaged_keyword_segment_is_rebuilt_at_start_up(make_kb, bundle, damage, engine):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    first = make_kb()
    first.documents.ingest(bundle.root)
    first.close()
    segments = segment_files(first.indexes.keyword)
    assert segments
    for segment in segments:
        data = segment.read_bytes()
        if damage == "torn":
            segment.write_bytes(data[: len(data) // 2])
        else:
            segment.unlink()
    again = make_kb()
    again.indexes.catalog()
    assert_indexes_match_database(again)


def test_a_document_deleted_before_the_indexes_caught_up_is_never_taken_for_a_new_one(
    make_kb, bundle, monkeypatch, engine
):
    from kb.search.serving.snapshots import IndexSnapshots

    bundle.doc("material/a.md", "Högläsning varje morgon.", title="Högläsning")
    bundle.doc("material/z.md", "Schackklubben på rasterna.", title="Schack")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    kb.close()
    # Two ingests whose process dies right after the commit, before the indexes are touched.
    monkeypatch.setattr(IndexSnapshots, "sync_indexes", lambda self, **kw: None)
    crashed = make_kb()
    (bundle.root / "material" / "z.md").unlink()
    crashed.documents.ingest(bundle.root, prune=True)
    bundle.doc("material/y.md", "Boksamtal i årskurs fem.", title="Boksamtal")
    crashed.documents.ingest(bundle.root)
    crashed.close()
    monkeypatch.undo()
    again = make_kb()
    again.indexes.catalog()
    assert_indexes_match_database(again)
    assert again.indexes.keyword.search("schack", None, 10) == []


def test_reindex_verify_after_a_crash_reports_nothing_left_to_repair(
    make_kb, tmp_path, spawn, engine
):
    bundle = start_bundle(tmp_path / "bundle", documents=10)
    make_kb("instance").documents.ingest(bundle.root)
    writer = spawn("ingest", tmp_path / "instance", bundle.root, "verify")
    writer.wait_for("ingested")
    writer.kill()
    kb = make_kb("instance")
    kb.indexes.sync_indexes()
    assert not kb.indexes.sync_indexes().changed
    assert_indexes_match_database(kb)


def test_no_temporary_index_files_outlive_a_crash(make_kb, tmp_path, engine):
    bundle = start_bundle(tmp_path / "bundle", documents=10)
    make_kb("instance").documents.ingest(bundle.root)
    index = tmp_path / "instance" / "index"
    leftovers = [index / "vectors" / ".vectors.faiss.abc.tmp", index / "sparse" / ".sparse.npz.abc"]
    if engine == "tantivy":  # the temporary file of an atomic write of meta.json
        leftovers.append(index / "tantivy" / ".tmpAbC123")
    for leftover in leftovers:
        leftover.write_bytes(np.zeros(1000, dtype=np.uint8).tobytes())
    kb = make_kb("instance")
    bundle.doc("material/ny.md", "Ny text.", title="Ny")
    kb.documents.ingest(bundle.root)
    kept = {".lock", ".ingest-lock", *ENGINE_FILES}
    assert [p.name for p in index.rglob(".*") if p.name not in kept] == []
