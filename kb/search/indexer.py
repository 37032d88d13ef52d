"""Keep the derived indexes (Whoosh, FAISS) in step with the database, the truth."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.limits import INDEX_SECONDS_PER_DOCUMENT
from kb.models import Chunk, Document
from kb.search.embed import Embedder
from kb.search.keyword import KeywordDoc, KeywordIndex
from kb.search.sparse import SparseIndex
from kb.search.vectors import IndexLoadError, VectorIndex
from kb.text.chunking import cap_passage

EMBED_BATCH = 64
OVER_BUDGET_FILE = "over-budget.json"
LEG_NAMES = ("dense", "sparse")
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

    def __str__(self) -> str:
        head = "rebuilt; " if self.rebuilt else ""
        return (
            f"{head}keyword index: {self.keyword_updated} written, {self.keyword_deleted} "
            f"deleted; vector index: {self.vectors_added} added, {self.vectors_removed} "
            f"removed; sparse index: {self.sparse_added} added, {self.sparse_removed} removed"
        )


def passage_text(title: str, chunk: str) -> str:
    """Give every chunk its document's title, so a chunk out of context still says what it is on."""
    return f"{title}\n{chunk}"


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


def sync_keyword(session: Session, keyword: KeywordIndex) -> tuple[int, int]:
    """Write documents whose revision differs from the index, delete those gone from the database."""
    db_revs = dict(session.execute(select(Document.id, Document.revision)).all())
    try:
        ix_revs = keyword.revisions()
    except Exception:  # a torn or missing segment (power cut, disk): rebuild from the database
        keyword.open(create=True)
        ix_revs = {}
    stale = [d for d, rev in db_revs.items() if ix_revs.get(d) != rev]
    gone = [d for d in ix_revs if d not in db_revs]
    upserts = []
    for start in range(0, len(stale), 500):
        ids = stale[start : start + 500]
        for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
            upserts.append(
                KeywordDoc(
                    doc_id=doc.id,
                    revision=doc.revision,
                    title=doc.title,
                    tags=" ".join(doc.tags or []),
                    body=doc.text or "",
                )
            )
    if upserts or gone:
        keyword.apply(upserts, gone)
    return len(upserts), len(gone)


def sync_vectors(
    session: Session,
    index,
    encode,
    progress=None,
    over_budget: dict[int, int] | None = None,
    budget: float | None = None,
    batch: int | None = None,
) -> tuple[int, int]:
    """Encode chunks missing from a vector index and remove the vectors of chunks that are gone.

    `index` is a VectorIndex or a SparseIndex (add, remove, ids); `encode` maps passage texts
    to the rows it stores. Each passage is cut after MAX_PASSAGE_TOKENS tokens, and a document
    gets at most `budget` seconds of encoding: chunks left over are recorded in `over_budget`
    ({chunk id: document id}) and counted as done, so a hostile document costs a bounded time
    once, not on every sync. Chunk ids are never reused, so a changed document is tried afresh.
    """
    over_budget = {} if over_budget is None else over_budget
    budget = INDEX_SECONDS_PER_DOCUMENT if budget is None else budget
    batch = batch or EMBED_BATCH
    db_ids = set(session.scalars(select(Chunk.id)))
    for gone in set(over_budget) - db_ids:
        del over_budget[gone]
    ix_ids = {int(i) for i in index.ids()}
    extra = sorted(ix_ids - db_ids)
    missing = sorted(db_ids - ix_ids - set(over_budget))
    if extra:
        index.remove(np.array(extra, dtype=np.int64))
    bar = progress(total=len(missing)) if progress and missing else None
    for doc_chunks in _by_document(session, missing):
        started = time.monotonic()
        for start in range(0, len(doc_chunks), batch):
            rows = doc_chunks[start : start + batch]
            if time.monotonic() - started > budget:
                over_budget.update({r.id: r.document_id for r in doc_chunks[start:]})
                break
            texts = [cap_passage(passage_text(r.title, r.text))[0] for r in rows]
            index.add(np.array([r.id for r in rows], dtype=np.int64), encode(texts))
            if bar:
                bar.update(len(rows))
            # Let a waiting search take its turn at the model between two batches.
            time.sleep(0.002)
    if bar:
        bar.close()
    return len(missing), len(extra)


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
    before = json.dumps(over, sort_keys=True)
    written, deleted = sync_keyword(session, keyword)
    added, removed = sync_vectors(
        session, vectors, embedder.embed_passages, progress, over["dense"], batch=batch
    )
    if added or removed or rebuilt or not (vector_path / "vectors.faiss").exists():
        vectors.save(vector_path)
    s_added = s_removed = 0
    if sparse_index is not None and sparse_encoder is not None and sparse_path is not None:
        s_added, s_removed = sync_vectors(
            session,
            sparse_index,
            sparse_encoder.encode_passages,
            progress,
            over["sparse"],
            batch=batch,
        )
        if s_added or s_removed or sparse_rebuilt or not (sparse_path / "sparse.npz").exists():
            sparse_index.save(sparse_path)
    if json.dumps(over, sort_keys=True) != before:
        write_over_budget(budget_file, over)
    return SyncReport(
        written,
        deleted,
        added,
        removed,
        rebuilt or sparse_rebuilt,
        s_added,
        s_removed,
        over_budget=frozenset(over["dense"].values()) | frozenset(over["sparse"].values()),
    )


def read_over_budget(path: Path) -> dict[str, dict[int, int]]:
    """Read which chunks were left out for time, per index ({chunk id: document id})."""
    try:
        raw = json.loads(path.read_text())
        return {leg: {int(c): int(d) for c, d in raw.get(leg, {}).items()} for leg in LEG_NAMES}
    except (OSError, ValueError, AttributeError):
        return {leg: {} for leg in LEG_NAMES}


def write_over_budget(path: Path, over: dict[str, dict[int, int]]) -> None:
    """Write the left-out chunks next to the indexes (derived state, like the indexes)."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps({leg: {str(c): d for c, d in m.items()} for leg, m in over.items()}))
    temp.replace(path)


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
