"""Keep the derived indexes (Whoosh, FAISS) in step with the database, the truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Chunk, Document
from kb.search.embed import Embedder
from kb.search.keyword import KeywordDoc, KeywordIndex
from kb.search.vectors import IndexLoadError, VectorIndex

EMBED_BATCH = 64


@dataclass(frozen=True)
class SyncReport:
    """What a sync changed in each index."""

    keyword_updated: int
    keyword_deleted: int
    vectors_added: int
    vectors_removed: int
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return any((self.keyword_updated, self.keyword_deleted, self.vectors_added,
                    self.vectors_removed))

    def __str__(self) -> str:
        head = "rebuilt; " if self.rebuilt else ""
        return (f"{head}keyword index: {self.keyword_updated} written, {self.keyword_deleted} "
                f"deleted; vector index: {self.vectors_added} added, {self.vectors_removed} removed")


def passage_text(title: str, chunk: str) -> str:
    """Give every chunk its document's title, so a chunk out of context still says what it is on."""
    return f"{title}\n{chunk}"


def open_vectors(path: Path, embedder: Embedder) -> tuple[VectorIndex, bool]:
    """Load the vector index, or start an empty one when it is missing, broken or of another model."""
    try:
        return VectorIndex.load(path, embedder.name, embedder.dim), False
    except IndexLoadError:
        return VectorIndex.create(embedder.name, embedder.dim), True


def sync_keyword(session: Session, keyword: KeywordIndex) -> tuple[int, int]:
    """Write documents whose revision differs from the index, delete those gone from the database."""
    db_revs = dict(session.execute(select(Document.id, Document.revision)).all())
    ix_revs = keyword.revisions()
    stale = [d for d, rev in db_revs.items() if ix_revs.get(d) != rev]
    gone = [d for d in ix_revs if d not in db_revs]
    upserts = []
    for start in range(0, len(stale), 500):
        ids = stale[start:start + 500]
        for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
            upserts.append(KeywordDoc(doc_id=doc.id, revision=doc.revision, title=doc.title,
                                      tags=" ".join(doc.tags or []), body=doc.text or ""))
    if upserts or gone:
        keyword.apply(upserts, gone)
    return len(upserts), len(gone)


def sync_vectors(session: Session, vectors: VectorIndex, embedder: Embedder,
                 progress=None) -> tuple[int, int]:
    """Embed chunks missing from the vector index and remove vectors of chunks that are gone."""
    db_ids = set(session.scalars(select(Chunk.id)))
    ix_ids = {int(i) for i in vectors.ids()}
    extra = sorted(ix_ids - db_ids)
    missing = sorted(db_ids - ix_ids)
    if extra:
        vectors.remove(np.array(extra, dtype=np.int64))
    batches = [missing[i:i + EMBED_BATCH] for i in range(0, len(missing), EMBED_BATCH)]
    bar = progress(total=len(missing)) if progress and missing else None
    for batch in batches:
        rows = session.execute(
            select(Chunk.id, Chunk.text, Document.title).join(Document)
            .where(Chunk.id.in_(batch))).all()
        texts = [passage_text(r.title, r.text) for r in rows]
        vectors.add(np.array([r.id for r in rows], dtype=np.int64),
                    embedder.embed_passages(texts))
        if bar:
            bar.update(len(rows))
    if bar:
        bar.close()
    return len(missing), len(extra)


def sync(session: Session, keyword: KeywordIndex, vectors: VectorIndex, embedder: Embedder,
         vector_path: Path, progress=None, rebuilt: bool = False) -> SyncReport:
    """Bring both indexes in step with the database; save the vector index when it changed."""
    written, deleted = sync_keyword(session, keyword)
    added, removed = sync_vectors(session, vectors, embedder, progress)
    if added or removed or rebuilt or not (vector_path / "vectors.faiss").exists():
        vectors.save(vector_path)
    return SyncReport(written, deleted, added, removed, rebuilt)
