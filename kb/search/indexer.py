"""Keep the derived indexes (Whoosh, FAISS) in step with the database, the truth."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Chunk, Document
from kb.search.embed import Embedder, engine_label
from kb.search.keyword import KeywordDoc, KeywordIndex
from kb.search.sparse import SparseIndex
from kb.search.vectors import IndexLoadError, VectorIndex

EMBED_BATCH = 64
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
    engine: str = ""
    seconds: float = 0.0

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
        passages = max(self.vectors_added, self.sparse_added)
        if not passages:
            return ""
        rate = passages / self.seconds if self.seconds > 0 else 0.0
        return (
            f"embedding: {passages} passages in {self.seconds:.1f} s ({rate:.1f}/s) "
            f"with {self.engine}"
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


def _missing(session: Session, index) -> tuple[list[int], list[int]]:
    """Return (chunk ids the index lacks, ids it holds that the database no longer has)."""
    db_ids = set(session.scalars(select(Chunk.id)))
    ix_ids = {int(i) for i in index.ids()}
    return sorted(db_ids - ix_ids), sorted(ix_ids - db_ids)


def _passages(session: Session, ids: list[int]):
    """Yield (chunk ids, passage texts) in batches of EMBED_BATCH."""
    for start in range(0, len(ids), EMBED_BATCH):
        rows = session.execute(
            select(Chunk.id, Chunk.text, Document.title)
            .join(Document)
            .where(Chunk.id.in_(ids[start : start + EMBED_BATCH]))
        ).all()
        yield (
            np.array([r.id for r in rows], dtype=np.int64),
            [passage_text(r.title, r.text) for r in rows],
        )


def sync_vectors(session: Session, index, encode, progress=None) -> tuple[int, int]:
    """Encode chunks missing from a vector index and remove the vectors of chunks that are gone.

    `index` is a VectorIndex or a SparseIndex (add, remove, ids); `encode` maps passage texts
    to the rows it stores.
    """
    missing, extra = _missing(session, index)
    if extra:
        index.remove(np.array(extra, dtype=np.int64))
    bar = progress(total=len(missing)) if progress and missing else None
    for ids, texts in _passages(session, missing):
        index.add(ids, encode(texts))
        if bar:
            bar.update(len(ids))
    if bar:
        bar.close()
    return len(missing), len(extra)


def sync_joint(session: Session, vectors, sparse_index, encode_joint, progress=None):
    """Like sync_vectors for both indexes at once, one forward pass per passage.

    `encode_joint(texts, progress=callback)` returns (dense rows, sparse rows) and calls back
    with the number of passages finished, so the bar moves within a batch.
    Returns ((dense added, removed), (sparse added, removed)).
    """
    dense_missing, dense_extra = _missing(session, vectors)
    sparse_missing, sparse_extra = _missing(session, sparse_index)
    for index, extra in ((vectors, dense_extra), (sparse_index, sparse_extra)):
        if extra:
            index.remove(np.array(extra, dtype=np.int64))
    todo = sorted(set(dense_missing) | set(sparse_missing))
    want_dense, want_sparse = set(dense_missing), set(sparse_missing)
    bar = progress(total=len(todo)) if progress and todo else None
    for ids, texts in _passages(session, todo):
        dense, terms = encode_joint(texts, progress=bar.update if bar else None)
        d_rows = np.array([i for i, c in enumerate(ids) if int(c) in want_dense], dtype=np.int64)
        s_rows = np.array([i for i, c in enumerate(ids) if int(c) in want_sparse], dtype=np.int64)
        if len(d_rows):
            vectors.add(ids[d_rows], dense[d_rows])
        if len(s_rows):
            sparse_index.add(ids[s_rows], terms[s_rows])
    if bar:
        bar.close()
    return (len(dense_missing), len(dense_extra)), (len(sparse_missing), len(sparse_extra))


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
) -> SyncReport:
    """Bring every index in step with the database; save a vector index when it changed.

    The caller holds the instance's index lock, so no other process is saving right now.
    """
    remove_leftover_temp_files(vector_path, sparse_path)
    written, deleted = sync_keyword(session, keyword)
    started = time.perf_counter()
    has_sparse = sparse_index is not None and sparse_encoder is not None and sparse_path
    label = engine_label(embedder)
    if has_sparse and getattr(sparse_encoder, "shares_pass_with", None) is embedder:
        (added, removed), (s_added, s_removed) = sync_joint(
            session, vectors, sparse_index, embedder.encode_joint, progress
        )
    else:
        added, removed = sync_vectors(session, vectors, embedder.embed_passages, progress)
        s_added = s_removed = 0
        if has_sparse:
            s_added, s_removed = sync_vectors(
                session, sparse_index, sparse_encoder.encode_passages, progress
            )
    if added or removed or rebuilt or not (vector_path / "vectors.faiss").exists():
        if added:
            vectors.engines.add(label)
        vectors.save(vector_path)
    if has_sparse and (
        s_added or s_removed or sparse_rebuilt or not (sparse_path / "sparse.npz").exists()
    ):
        if s_added:
            sparse_index.engines.add(getattr(sparse_encoder, "engine_label", label))
        sparse_index.save(sparse_path)
    return SyncReport(
        written,
        deleted,
        added,
        removed,
        rebuilt or sparse_rebuilt,
        s_added,
        s_removed,
        engine=label,
        seconds=time.perf_counter() - started,
    )
