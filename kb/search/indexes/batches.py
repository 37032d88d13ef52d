"""An ingest's documents written to the keyword index as they are stored, in batches.

A bundle is stored a batch at a time (kb.ingest.batches); its documents go to the keyword
index INDEX_BATCH at a time (or every INDEX_BATCH_SECONDS), one commit each, so a large
bundle is searchable by its words as it goes and a killed ingest loses one such batch of
keyword work at most (the sync at the end of the next one redoes it). Those the index does
not hold yet are added without looking for an older copy, half of Whoosh's work on a first
ingest; what it holds is read afresh before each write, under the index lock, so a document
another process indexed meanwhile is never added twice.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.orm import Session

from kb.limits import INDEX_BATCH, INDEX_BATCH_SECONDS
from kb.search.indexes.backends import settle_backend
from kb.search.indexes.indexer import keyword_docs, keyword_revisions
from kb.search.indexes.keywords import KeywordIndex
from kb.search.indexes.locks import file_lock


class KeywordBatches:
    """The documents of an ingest waiting for the keyword index (doc ids)."""

    def __init__(self, index_path: Path, sync_lock) -> None:
        self.index_path, self.sync_lock = index_path, sync_lock
        self.pending: set[int] = set()
        self._since = time.monotonic()

    def add(self, doc_ids, db, keyword: KeywordIndex) -> None:
        """Queue documents just stored; write the batch when it is due, unless another
        process writes the indexes now (a server's indexer, which finds them itself)."""
        if not self.pending:
            self._since = time.monotonic()
        self.pending |= set(doc_ids)
        waited = time.monotonic() - self._since
        if len(self.pending) >= INDEX_BATCH or waited >= INDEX_BATCH_SECONDS:
            self.flush(db, keyword)

    def flush(self, db, keyword: KeywordIndex) -> None:
        """Write the waiting documents now, unless another process writes the indexes."""
        index_lock = file_lock(self.index_path / ".lock", wait=False)
        with self.sync_lock, index_lock as held:
            if held:
                settle_backend(self.index_path, keyword)
                with db.read() as session:
                    self.write(session, keyword)

    def write(self, session: Session, keyword: KeywordIndex) -> int:
        """Write the waiting documents as the database holds them, in one commit (the
        caller holds the index lock); return how many."""
        if not self.pending:
            return 0
        held = keyword_revisions(keyword)
        docs = keyword_docs(session, sorted(self.pending))
        self.pending.clear()
        fresh = [d for d in docs if d.doc_id not in held]
        stale = [d for d in docs if d.doc_id in held and held[d.doc_id] != d.revision]
        if fresh or stale:
            keyword.apply(stale, [], added=fresh)
        return len(fresh) + len(stale)
