"""Fill-in: a server searches the vectors a long round has embedded so far, not only at its end.

A round that embeds for hours (the first ingest of a municipality, by `kb ingest` beside
the server or by the server's own indexer) saves its indexes every CHECKPOINT_SECONDS
(kb.search.indexes.saving). The server's watcher picks each saved state up, so the semantic
legs fill in as the vectors arrive while the keyword index, written first, covers every
document from the start.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kb.search.indexes.progress import held_chunks
from kb.search.indexes.saving import read_over_budget
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import IndexLoadError, VectorIndex

log = logging.getLogger("kb.indexer")

# How often the watcher looks at the index files (two stat calls) ...
POLL_SECONDS = 1.0
# ... and picks a newer state up at most this often, and at most PICK_UP_SHARE of the time:
# reading a whole index of 100,000 passages takes the server a second or two of CPU.
PICK_UP_SECONDS = 10.0
PICK_UP_SHARE = 0.1


class CheckpointWatcher:
    """Call pick_up() in a thread of its own whenever changed() says the saved indexes are
    newer than the server's snapshot, not more often than PICK_UP_SECONDS or PICK_UP_SHARE."""

    def __init__(
        self,
        changed: Callable[[], bool],
        pick_up: Callable[[], None],
        poll: float = POLL_SECONDS,
    ) -> None:
        self._changed, self._pick_up, self._poll = changed, pick_up, poll
        self._stop = threading.Event()
        self._next = 0.0
        self._thread = threading.Thread(target=self._run, name="kb-fill-in", daemon=True)

    def start(self) -> CheckpointWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._poll):
            started = time.monotonic()
            if started < self._next:
                continue
            try:
                if not self._changed():
                    continue
                self._pick_up()
            except Exception:  # a read torn by a save, a database away: look again later
                log.exception("could not pick up the saved indexes; the last ones keep serving")
            spent = time.monotonic() - started
            self._next = started + max(PICK_UP_SECONDS, spent / PICK_UP_SHARE)


def load_saved(vector_path, sparse_path, embedder, sparse_encoder, attempts: int = 5):
    """Read the vector and sparse indexes from disk, retrying a read torn by a save."""
    for attempt in range(attempts):
        try:
            vectors = VectorIndex.load(vector_path, embedder.name, embedder.dim)
            sparse = None
            if sparse_encoder is not None:
                enc = sparse_encoder
                sparse = SparseIndex.load(sparse_path, enc.name, enc.dim)
            return vectors, sparse
        except IndexLoadError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


class SemanticProgress:
    """How many passages the semantic legs hold of those the catalog has: the held chunk ids
    worked out once per state of the indexes, the count per document once per catalog, so
    a search pays only a sum over the documents its viewer may open (and only when behind)."""

    def __init__(self, over_budget_file: Path) -> None:
        self.over_budget_file = over_budget_file
        self._held: tuple | None = None  # (weak refs to the indexes, held chunk ids)
        self._counts: tuple | None = None  # (weak refs to catalog and held, counts)

    def of(self, catalog, vectors, sparse, viewer=None) -> tuple[int, int] | None:
        """Return (done, total) over every passage (or those viewer may open), None when
        the semantic legs hold them all."""
        doc_ids, done_of, total_of = self._per_document(catalog, self._held_by(vectors, sparse))
        done, total = int(done_of.sum()), int(total_of.sum())
        if done < total and viewer is not None:
            mine = np.asarray(catalog.visible(viewer), dtype=np.int64)
            at = np.searchsorted(doc_ids, mine)
            at = at[(at < len(doc_ids)) & (doc_ids[np.minimum(at, len(doc_ids) - 1)] == mine)]
            done, total = int(done_of[at].sum()), int(total_of[at].sum())
        return (done, total) if done < total else None

    def _held_by(self, vectors, sparse) -> np.ndarray:
        if _same(self._held, (vectors, sparse)):
            return self._held[1]
        over = read_over_budget(self.over_budget_file)
        legs = [(vectors, over["dense"])]
        if sparse is not None:
            legs.append((sparse, over["sparse"]))
        held = held_chunks(legs)
        self._held = (_refs((vectors, sparse)), held)
        return held

    def _per_document(self, catalog, held: np.ndarray):
        """Return (document ids, passages held of each, passages of each), ids sorted."""
        if _same(self._counts, (catalog, held)):
            return self._counts[1]
        n = len(catalog.chunk_doc)
        chunks = np.fromiter(catalog.chunk_doc.keys(), dtype=np.int64, count=n)
        docs = np.fromiter(catalog.chunk_doc.values(), dtype=np.int64, count=n)
        doc_ids, position = np.unique(docs, return_inverse=True)
        have = np.isin(chunks, held)
        counts = (
            doc_ids,
            np.bincount(position, weights=have, minlength=len(doc_ids)).astype(np.int64),
            np.bincount(position, minlength=len(doc_ids)),
        )
        self._counts = (_refs((catalog, held)), counts)
        return counts


def _refs(objects) -> tuple:
    return tuple(weakref.ref(o) if o is not None else None for o in objects)


def _same(remembered: tuple | None, objects) -> bool:
    """Tell whether a remembered result was worked out from these very objects."""
    if remembered is None:
        return False
    return all(
        (ref() if ref is not None else None) is obj
        for ref, obj in zip(remembered[0], objects, strict=True)
    )
