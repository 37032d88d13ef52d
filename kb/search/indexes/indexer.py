"""Keep the derived indexes (keyword, vector, sparse) in step with the database, the truth."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.access import readers_of
from kb.limits import INDEX_SECONDS_PER_DOCUMENT
from kb.models import Authorship, Chunk, Document, Person
from kb.search.indexes import encoding
from kb.search.indexes.imported import imported_at
from kb.search.indexes.keywords import KeywordDoc, KeywordIndex
from kb.search.indexes.progress import IndexingStopped
from kb.search.indexes.saving import Saving, over_budget_text, read_over_budget
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import IndexLoadError, VectorIndex
from kb.search.model.embed import Embedder, engine_label
from kb.text.chunking import cap_passage

EMBED_BATCH = 64
OVER_BUDGET_FILE = "over-budget.json"
# Temporary files VectorIndex.save and SparseIndex.save write before renaming them into place.
TEMP_PREFIXES = (".vectors.faiss.", ".vectors.json.", ".sparse.npz.", ".sparse.json.")


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed in each index."""

    keyword_updated: int
    keyword_deleted: int
    vectors_added: int
    vectors_removed: int
    rebuilt: bool = False
    sparse_added: int = 0
    sparse_removed: int = 0
    # Documents with chunks left out of a vector index for time (indexed by what fits).
    over_budget: frozenset[int] = field(default_factory=frozenset)
    engine: str = ""
    seconds: float = 0.0
    # Passages whose vectors were taken from imported ones (kb vectors import), not embedded.
    imported: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.keyword_updated,
                self.keyword_deleted,
                self.vectors_added,
                self.vectors_removed,
                self.sparse_added,
                self.sparse_removed,
            )
        )

    def speed_line(self) -> str:
        """Say which engine embedded how many passages how fast ("" when none were)."""
        passages = max(self.vectors_added, self.sparse_added) - self.imported
        taken = f"; {self.imported} taken from imported vectors" if self.imported else ""
        if passages <= 0:
            return f"embedding: no passage{taken}" if taken else ""
        rate = passages / self.seconds if self.seconds > 0 else 0.0
        return (
            f"embedding: {passages} passages in {self.seconds:.1f} s ({rate:.1f}/s) "
            f"with {self.engine}{taken}"
        )

    def __str__(self) -> str:
        head = "rebuilt; " if self.rebuilt else ""
        return (
            f"{head}keyword index: {self.keyword_updated} written, {self.keyword_deleted} "
            f"deleted; vector index: {self.vectors_added} added, {self.vectors_removed} "
            f"removed; sparse index: {self.sparse_added} added, {self.sparse_removed} removed"
            + (f"; {self.imported} passages taken from imported vectors" if self.imported else "")
        )


def passage_text(title: str, chunk: str) -> str:
    """Give every chunk its document's title, so a chunk out of context still says what it is on."""
    return f"{title}\n{chunk}"


def embedded_text(title: str, chunk: str) -> str:
    """Return the exact text a chunk is embedded from (imported vectors are found by it)."""
    return cap_passage(passage_text(title, chunk))[0]


def open_vectors(path: Path, embedder: Embedder) -> tuple[VectorIndex, bool]:
    """Load the vector index, or start an empty one when it is missing, broken or of another model."""
    try:
        return VectorIndex.load(path, embedder.name, embedder.dim), False
    except IndexLoadError:
        return VectorIndex.create(embedder.name, embedder.dim), True


def open_sparse(path: Path, encoder) -> tuple[SparseIndex, bool]:
    """Load the sparse index, or start an empty one when missing, broken or of another model."""
    try:
        return SparseIndex.load(path, encoder.name, encoder.dim), False
    except IndexLoadError:
        return SparseIndex(encoder.name, encoder.dim), True


def sync_keyword(session: Session, keyword: KeywordIndex, quick: bool = False) -> tuple[int, int]:
    """Write documents whose revision differs from the index, delete those gone from the database.

    quick: only when the documents changed since the last call (one cheap query), as a long
    round does between batches so that a document shared meanwhile is found by its words.
    """
    if quick:
        mark = session.execute(
            select(func.count(Document.id), func.coalesce(func.sum(Document.revision), 0))
        ).one()
        if getattr(keyword, "synced_mark", None) == tuple(mark):
            return 0, 0
        keyword.synced_mark = tuple(mark)
    db_revs = dict(session.execute(select(Document.id, Document.revision)).all())
    ix_revs = keyword_revisions(keyword)
    stale = [d for d, rev in db_revs.items() if ix_revs.get(d) != rev]
    gone = [d for d in ix_revs if d not in db_revs]
    upserts = keyword_docs(session, stale)
    if upserts or gone:
        keyword.apply(upserts, gone)
    keyword.tidy()  # what a writer killed mid-commit left (once after opening)
    return len(upserts), len(gone)


def keyword_revisions(keyword: KeywordIndex) -> dict[int, int]:
    """Return {doc_id: revision} of the keyword index, opened afresh or rebuilt (empty) when
    it cannot be read."""
    try:
        return keyword.revisions()
    except Exception:
        try:  # a read that raced a commit: open the index afresh before judging it
            keyword.open()
            return keyword.revisions()
        except Exception:  # a torn or missing segment (power cut, disk): rebuild it
            keyword.open(create=True)
            return {}


def keyword_docs(session: Session, doc_ids) -> list[KeywordDoc]:
    """Return what the keyword index holds of these documents, read from the database.

    A document and its authors are read in one statement, so its reader keys are those of
    the revision beside them even while another server edits it.
    """
    ids = list(doc_ids)
    out = []
    columns = (Document.id, Document.revision, Document.title, Document.tags, Document.text)
    for start in range(0, len(ids), 500):
        rows = (
            select(*columns, Document.visibility, Authorship.person_id, Person.unit)
            .outerjoin(Authorship, Authorship.document_id == Document.id)
            .outerjoin(Person, Person.id == Authorship.person_id)
            .where(Document.id.in_(ids[start : start + 500]))
            .order_by(Document.id, Authorship.position)
        )
        for _, group in groupby(session.execute(rows), key=lambda row: row[0]):
            group = list(group)
            doc_id, revision, title, tags, text, visibility = group[0][:6]
            authors = [r.person_id for r in group if r.person_id]
            readers = readers_of(visibility, authors, [r.unit for r in group])
            tags = " ".join(tags or [])
            out.append(
                KeywordDoc(doc_id, revision, title, tags, text or "", tuple(sorted(readers)))
            )
    return out


def _drop_gone(db_ids: set[int], index, over: dict[int, int]) -> tuple[set[int], int]:
    """Remove rows of chunks that are gone; return (chunk ids still to encode, rows removed)."""
    for gone in set(over) - db_ids:
        del over[gone]
    ix_ids = {int(i) for i in index.ids()}
    extra = sorted(ix_ids - db_ids)
    if extra:
        index.remove(np.array(extra, dtype=np.int64))
    return db_ids - ix_ids - set(over), len(extra)


def encode_missing(
    session: Session, legs, encode, progress=None, budget=None, batch=None, between=None
):
    """Encode the chunks missing from each index of `legs` and drop rows of chunks that are gone.

    `legs` is [(index, over_budget)] with index a VectorIndex or SparseIndex; `encode` is one
    of kb.search.indexes.encoding's (each leg's rows of the texts it lacks, from one call).
    Batches span documents; each document is charged its share of a batch's time, and once
    it has had `budget` seconds its remaining chunks are recorded in its leg's over_budget
    ({chunk id: document id}) and counted as done, so a hostile document costs a bounded time
    once, not on every sync. Each passage is cut after MAX_PASSAGE_TOKENS tokens. Chunk ids
    are never reused, so a changed document is tried afresh. `between()` is called after
    every batch. Returns [(added, removed)].
    """
    budget = INDEX_SECONDS_PER_DOCUMENT if budget is None else budget
    batch = batch or EMBED_BATCH
    db_ids = set(session.scalars(select(Chunk.id)))
    dropped = [_drop_gone(db_ids, index, over) for index, over in legs]
    wants = [want for want, _ in dropped]
    todo = sorted(set().union(*wants))
    bar = progress(total=len(todo)) if progress and todo else None
    spent: dict[int, float] = {}
    pending: list = []

    def flush() -> None:
        started = time.monotonic()
        texts = [embedded_text(r.title, r.text) for r in pending]
        masks = [np.array([r.id in want for r in pending], dtype=bool) for want in wants]
        blocks = encode(texts, masks, bar.update if bar else None)
        share = (time.monotonic() - started) / len(pending)
        ids = np.array([r.id for r in pending], dtype=np.int64)
        for (index, _), mask, rows in zip(legs, masks, blocks, strict=True):
            if mask.any():
                index.add(ids[mask], rows)
        for r in pending:
            spent[r.document_id] = spent.get(r.document_id, 0.0) + share
        pending.clear()
        if between is not None:
            between()
        # Let a waiting search take its turn at the model between two batches.
        time.sleep(0.002)

    for doc_chunks in _by_document(session, todo):
        for pos, row in enumerate(doc_chunks):
            if spent.get(row.document_id, 0.0) > budget:
                for (_, over), want in zip(legs, wants, strict=True):
                    over.update({r.id: r.document_id for r in doc_chunks[pos:] if r.id in want})
                break
            pending.append(row)
            if len(pending) >= batch:
                flush()
    if pending:
        flush()
    if bar:
        bar.close()
    return [(len(want), removed) for want, removed in dropped]


def _by_document(session: Session, chunk_ids: list[int]):
    """Yield the rows (id, text, title, document_id) of these chunks, one document at a time."""
    for start in range(0, len(chunk_ids), 2000):
        ids = chunk_ids[start : start + 2000]
        rows = session.execute(
            select(Chunk.id, Chunk.text, Chunk.document_id, Document.title)
            .join(Document)
            .where(Chunk.id.in_(ids))
            .order_by(Chunk.document_id, Chunk.id)
        ).all()
        current: list = []
        for row in rows:
            if current and current[-1].document_id != row.document_id:
                yield current
                current = []
            current.append(row)
        if current:
            yield current


def remove_leftover_temp_files(*folders: Path | None) -> None:
    """Delete the half-written files of saves a killed process never finished."""
    for folder in folders:
        if folder is None or not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(TEMP_PREFIXES) and path.is_file():
                path.unlink(missing_ok=True)


def _encode_legs(session, vectors, embedder, sparse_index, sparse_encoder, over, run):
    """Encode what the dense and sparse indexes lack; return ((added, removed), (sparse ...),
    passages taken from imported vectors). `run` is (progress, batch, between, imported).

    Both fill in batch by batch together: one pass serves both when the sparse encoder
    shares the embedder's forward pass, else each batch is encoded by both models in turn.
    """
    progress, batch, between, imported = run
    legs = [(vectors, over["dense"])]
    specs = [("dense", embedder.name, embedder.dim)]
    if sparse_index is not None:
        legs.append((sparse_index, over["sparse"]))
        specs.append(("sparse", sparse_encoder.name, sparse_encoder.dim))
    if sparse_index is not None and getattr(sparse_encoder, "shares_pass_with", None) is embedder:
        encode = encoding.joint(embedder)
    else:
        encoders = [embedder.embed_passages]
        if sparse_index is not None:
            encoders.append(sparse_encoder.encode_passages)
        encode = encoding.separate(encoders)
    encode = encoding.FromImported(encode, imported, specs)
    done = encode_missing(session, legs, encode, progress, batch=batch, between=between)
    for (index, _), engines in zip(legs, encode.engines, strict=True):
        index.engines.update(f"{e.removesuffix(' (imported)')} (imported)" for e in engines)
    return done[0], (done[1] if len(done) > 1 else (0, 0)), max(encode.taken)


def sync(
    session: Session,
    keyword: KeywordIndex,
    vectors: VectorIndex,
    embedder: Embedder,
    vector_path: Path,
    progress=None,
    rebuilt: bool = False,
    sparse_index=None,
    sparse_encoder=None,
    sparse_path: Path | None = None,
    sparse_rebuilt: bool = False,
    batch: int | None = None,
) -> SyncReport:
    """Bring every index in step with the database; save a vector index when it changed.

    The caller holds the instance's index lock, so no other process is saving right now.
    """
    remove_leftover_temp_files(vector_path, sparse_path)
    budget_file = vector_path.parent / OVER_BUDGET_FILE
    over = read_over_budget(budget_file)
    before = over_budget_text(over)
    written, deleted = sync_keyword(session, keyword)
    started = time.perf_counter()
    label = engine_label(embedder)
    has_sparse = sparse_index is not None and sparse_encoder is not None and sparse_path
    sparse_label = getattr(sparse_encoder, "engine_label", label)
    saving = Saving(vectors, vector_path, label, budget_file, over)
    saving.refresh = lambda: sync_keyword(session, keyword, quick=True)
    if has_sparse:
        saving.sparse = (sparse_index, sparse_path, sparse_label)
    try:
        (added, removed), (s_added, s_removed), taken = _encode_legs(
            session,
            vectors,
            embedder,
            sparse_index if has_sparse else None,
            sparse_encoder,
            over,
            (progress, batch, saving.between, imported_at(vector_path.parent)),
        )
    except IndexingStopped:
        saving.keep()
        raise
    changed = (bool(added or removed or rebuilt), bool(s_added or s_removed or sparse_rebuilt))
    saving.finish((added, s_added), changed, before)
    return SyncReport(
        written,
        deleted,
        added,
        removed,
        rebuilt or sparse_rebuilt,
        s_added,
        s_removed,
        over_budget=frozenset(over["dense"].values()) | frozenset(over["sparse"].values()),
        engine=label,
        seconds=time.perf_counter() - started,
        imported=taken,
    )


def indexed_revisions(session: Session, keyword: KeywordIndex, vectors, sparse=None) -> dict:
    """Return {doc_id: revision} of the documents every index holds completely (or as fits)."""
    ix = keyword.revisions()
    have = {int(i) for i in vectors.ids()}
    if sparse is not None:
        have &= {int(i) for i in sparse.ids()}
    over = read_over_budget(keyword.path.parent / OVER_BUDGET_FILE)
    have |= set(over["dense"]) | set(over["sparse"])
    chunks: dict[int, list[int]] = {}
    for chunk_id, doc_id in session.execute(select(Chunk.id, Chunk.document_id)):
        chunks.setdefault(doc_id, []).append(chunk_id)
    out = {}
    for doc_id, revision in session.execute(select(Document.id, Document.revision)):
        if ix.get(doc_id) == revision and all(c in have for c in chunks.get(doc_id, ())):
            out[doc_id] = revision
    return out
