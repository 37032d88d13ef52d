"""The indexes of one instance: snapshots searched by requests, synced by one indexer.

Requests read the last complete snapshot (catalog, vector and sparse indexes, centroids);
`sync_indexes` builds the next one aside and swaps it in. A web app starts a background
`IndexWorker` (start_indexer); on the command line a change is synced at once.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.catalog import Catalog, fingerprint
from kb.config import Settings
from kb.db import Database
from kb.ingest.store import fits_note
from kb.limits import EMBED_BATCH_BACKGROUND
from kb.models import Document
from kb.search.indexes.backends import make_keyword_index, settle_backend
from kb.search.indexes.batches import KeywordBatches
from kb.search.indexes.indexer import (
    OVER_BUDGET_FILE,
    SyncReport,
    indexed_revisions,
    open_sparse,
    open_vectors,
    read_over_budget,
    sync,
)
from kb.search.indexes.locks import file_lock
from kb.search.indexes.repair import disagreeing_legs, open_keyword, open_saved
from kb.search.indexes.sentences import SavedSentences
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import VectorIndex
from kb.search.model.embed import Embedder
from kb.search.model.sparse import SparseEncoder
from kb.search.serving.background import IndexWorker
from kb.search.serving.fillin import CheckpointWatcher, SemanticProgress, load_saved
from kb.search.serving.indexproc import (
    IndexProcess,
    child_command,
    lower_priority,
    settings_line,
)


class IndexSnapshots:
    """The keyword, vector and sparse indexes and the catalog that searches read."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        embedder: Embedder,
        sparse_encoder: SparseEncoder | None,
    ) -> None:
        self.settings, self.db = settings, db
        self.embedder, self.sparse_encoder = embedder, sparse_encoder
        self.keyword = make_keyword_index(settings.index_path, settings.keyword_backend)
        self.vector_path = settings.index_path / "vectors"
        self.sparse_path = settings.index_path / "sparse"
        # The sentences answers quote (docs/answers.md); none when answers are off in kb.toml.
        self.sentences = SavedSentences.of(settings, embedder)
        self._vectors = None
        self._vectors_rebuilt = False
        self._sparse = None
        self._sparse_rebuilt = False
        self.centroids: dict = {}
        self._catalog: Catalog | None = None
        self._generation = None
        # One sync at a time in this process; request threads never take this lock.
        self._sync_lock = threading.RLock()
        # Held only to swap a snapshot in or to reread the catalog: never while embedding.
        self._catalog_lock = threading.Lock()
        # One read of the saved indexes at a time (a round's end, a checkpoint picked up).
        self._load_lock = threading.Lock()
        self._watcher: CheckpointWatcher | None = None
        self._progress = SemanticProgress(settings.index_path / OVER_BUDGET_FILE)
        self._vector_mtime: tuple = ()
        self._indexed: dict[int, int] = {}
        self._indexed_generation = None
        self._over_budget: frozenset[int] = frozenset()
        # The background indexer of a running server (start_indexer); None on the command line.
        self.worker: IndexWorker | None = None
        self.last_sync: SyncReport | None = None
        self._keyword_batches = KeywordBatches(settings.index_path, self._sync_lock)

    def yield_to_serving(self) -> None:
        """Run this process's batch work (ingest, reindex, the indexer) below serving:
        kb.toml's indexer_nice and indexer_threads."""
        lower_priority(self.settings.indexer_nice, self.settings.indexer_threads)

    @property
    def indexed_generation(self) -> tuple | None:
        """The fingerprint of the documents the indexes hold (generation), once synced."""
        return self._indexed_generation

    def over_budget(self, doc_ids) -> frozenset[int]:
        """Return those of these documents the last sync indexed by what fits."""
        over = getattr(self.last_sync, "over_budget", frozenset())
        return frozenset(over) & frozenset(doc_ids)

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self.worker is not None:
            self.worker.stop()
        self.keyword.close()

    def index_lock(self):
        """Hold the instance's index lock so only one process writes the indexes at a time;
        an indexer that holds it after its server died is ended and the lock taken over."""
        return file_lock(self.settings.index_path / ".lock", take_over=True)

    def ingest_lock(self, on_wait=None):
        """Let one ingest at a time write this instance; a second one waits (after on_wait())."""
        return file_lock(self.settings.index_path / ".ingest-lock", on_wait)

    def sync_lock(self, on_wait=None):
        """Let one sync from remote sources at a time write this instance."""
        return file_lock(self.settings.index_path / ".sync-lock", on_wait)

    @property
    def vectors(self):
        """The vector index of the current snapshot (loaded from disk, never embedded here)."""
        if self._vectors is None:
            self._vectors, self._vectors_rebuilt = open_vectors(self.vector_path, self.embedder)
            self._vector_mtime = self._vector_file_mtime()
        return self._vectors

    @property
    def sparse_index(self):
        if self._sparse is None and self.sparse_encoder is not None:
            self._sparse, self._sparse_rebuilt = open_sparse(self.sparse_path, self.sparse_encoder)
        return self._sparse

    def generation(self, session: Session) -> tuple:
        """Return a cheap fingerprint of the documents (kb.catalog.fingerprint)."""
        return fingerprint(session)

    def _working_indexes(self, force: bool):
        """Return vector and sparse indexes to sync into, built aside from the ones serving."""
        if force:
            sparse = None
            if self.sparse_encoder is not None:
                sparse = SparseIndex(self.sparse_encoder.name, self.sparse_encoder.dim)
            return VectorIndex.create(self.embedder.name, self.embedder.dim), sparse, True, True
        if self._vector_file_mtime() != self._vector_mtime:
            # Another process (kb ingest) saved newer indexes: start from those.
            vectors, rebuilt = open_vectors(self.vector_path, self.embedder)
            sparse, s_rebuilt = None, False
            if self.sparse_encoder is not None:
                sparse, s_rebuilt = open_sparse(self.sparse_path, self.sparse_encoder)
            return vectors, sparse, rebuilt, s_rebuilt
        sparse = self.sparse_index.copy() if self.sparse_index is not None else None
        return self.vectors.copy(), sparse, self._vectors_rebuilt, self._sparse_rebuilt

    def sync_indexes(self, progress=None, force: bool = False) -> SyncReport:
        """Repair the indexes against the database (the truth) and swap in the new snapshot.

        The new vector and sparse indexes are built aside; searches keep using the last
        complete ones until the swap. Only the index lock (shared with other processes) and
        this process's sync lock are held while embedding; no request thread waits on them.
        """
        background = self.worker is not None
        with self._sync_lock, self.index_lock(), self.db.read() as session:
            # Read the fingerprint before the indexes: a change committed while they sync is
            # then still news to the next catalog() call, never marked as seen unindexed.
            generation = self.generation(session)
            settle_backend(self.settings.index_path, self.keyword)
            if force:
                self.keyword.open(create=True)
            self._keyword_batches.write(session, self.keyword)  # an ingest's last, as added
            vectors, sparse, rebuilt, sparse_rebuilt = self._working_indexes(force)
            report = sync(
                session,
                self.keyword,
                vectors,
                self.embedder,
                self.vector_path,
                progress=progress,
                rebuilt=rebuilt,
                sparse_index=sparse,
                sparse_encoder=self.sparse_encoder,
                sparse_path=self.sparse_path,
                sparse_rebuilt=sparse_rebuilt,
                batch=self.embed_batch if background else None,
            )
            self.sentences.sync(session, force, progress)
            catalog = Catalog.load(session)
            centroids = vectors.mean_by_group(catalog.chunks_by_language)
            indexed = indexed_revisions(session, self.keyword, vectors, sparse)
            with self._catalog_lock:
                self._vectors, self._sparse, self.centroids = vectors, sparse, centroids
                self._vectors_rebuilt = self._sparse_rebuilt = False
                self._vector_mtime = self._vector_file_mtime()
                self._catalog, self._generation = catalog, generation
                self._indexed, self._indexed_generation = indexed, generation
                self._over_budget = report.over_budget
                self._rebuilding = set()
            self.last_sync = report
            return report

    def _vector_file_mtime(self) -> tuple:
        paths = (self.vector_path / "vectors.json", self.sparse_path / "sparse.json")
        return tuple(p.stat().st_mtime_ns if p.exists() else None for p in paths)

    def _current_generation(self) -> tuple:
        with self.db.read() as session:
            return self.generation(session)

    def index_stale(self) -> bool:
        """Tell whether the database or another process's indexes are newer than the snapshot."""
        return (
            self._current_generation() != self._indexed_generation
            or self._vector_file_mtime() != self._vector_mtime
        )

    def catalog(self, session: Session | None = None) -> Catalog:
        """Return the catalog of the documents as they are now (as this session reads them);
        nudge the indexer on a change.

        With a background indexer (the web app) this never embeds: it rereads the documents'
        metadata, which is cheap, so access checks and filters always follow the database,
        and the indexes catch up behind it. Without one (the command line) it syncs here.
        """
        if session is None:
            with self.db.read() as own:
                return self.catalog(own)
        current = self.generation(session)
        if self._catalog is not None and current == self._generation:
            return self._catalog
        if self.worker is None:
            # The sync reads and writes in sessions of its own: end this one's transaction.
            session.rollback()
            self.sync_indexes()
            return self._catalog
        with self._catalog_lock:
            if self._catalog is None or current != self._generation:
                self._catalog, self._generation = Catalog.load(session), current
            catalog = self._catalog
        self.worker.nudge()
        return catalog

    # The legs being rebuilt after a damaged or missing index was set aside (start_indexer).
    _rebuilding: set[str] = frozenset()

    # Passages per embedding call of a background indexer (a child process may take more).
    embed_batch = EMBED_BATCH_BACKGROUND

    def start_indexer(self, process: bool = False, on_round=None, on_start=None, watch=True):
        """Serve from the indexes on disk at once and keep them up to date in the background:
        in a child process (`kb indexer`, see kb.search.serving.indexproc) or in a thread;
        `watch` picks up what a long round has saved so far (kb.search.serving.fillin)."""
        if self.worker is None:
            self._open_for_serving()
            with self.db.read() as session:
                self._rebuilding = disagreeing_legs(
                    session, self.keyword, self.vectors, self.sparse_index
                )
                generation = self.generation(session)
                self._catalog, self._generation = Catalog.load(session), generation
                self._indexed = indexed_revisions(
                    session, self.keyword, self.vectors, self.sparse_index
                )
            self.centroids = self.vectors.mean_by_group(self._catalog.chunks_by_language)
            if process:
                self.worker = IndexProcess(
                    child_command(),
                    settings_line(self.settings),
                    self._load_published,
                    self.index_stale,
                ).start()
            else:
                self.worker = IndexWorker(
                    self.sync_indexes, self.index_stale, on_round=on_round, on_start=on_start
                )
                self.worker.start()
            if watch:
                self._watcher = CheckpointWatcher(self._saved_newer, self._swap_from_disk).start()
        return self.worker

    def _open_for_serving(self) -> None:
        """Open every index a server searches; a damaged one is set aside and starts empty."""
        # Not under the index lock: a server never waits for a long ingest to start.
        settle_backend(self.settings.index_path, self.keyword)
        open_keyword(self.keyword)
        self._vectors, self._vectors_rebuilt, self._sparse, self._sparse_rebuilt = open_saved(
            self.vector_path, self.sparse_path, self.embedder, self.sparse_encoder
        )
        self._vector_mtime = self._vector_file_mtime()

    def rebuilding_legs(self) -> list[str]:
        """Name the search legs still being rebuilt from the database (fewer hits meanwhile)."""
        legs = self._rebuilding
        if "keyword" in legs and self._catalog is not None:
            # The keyword index is written first and whole: back as soon as it holds them all.
            try:
                if self.keyword.doc_count() >= len(self._catalog.docs):
                    legs = self._rebuilding = legs - {"keyword"}
            except Exception:  # still being replaced: ask again at the next search
                pass
        return sorted(legs)

    def semantic_progress(self, catalog: Catalog | None = None, viewer=None):
        """Return (done, total): the passages the semantic legs hold of all the catalog's (of
        those viewer may open); None once they hold every one. Keyword search covers all."""
        catalog = self._catalog if catalog is None else catalog
        if catalog is None:
            return None
        return self._progress.of(catalog, self.vectors, self.sparse_index, viewer)

    def _load_published(self, message: dict) -> None:
        """Swap in the snapshot a child indexer has published on disk (in the server)."""
        published = tuple(message.get("generation") or ())
        if not message.get("changed") and (published, self._vector_file_mtime()) == (
            self._indexed_generation,
            self._vector_mtime,
        ):
            return
        self._swap_from_disk(published, finished=True, rebuilt=not message.get("error"))

    def _saved_newer(self) -> bool:
        return self._vector_file_mtime() != self._vector_mtime

    def _swap_from_disk(self, published=(), finished=False, rebuilt=False) -> None:
        """Swap in the indexes as saved on disk with the catalog as it is now: at a round's
        end (`published`: the generation it indexed) or a checkpoint of a round still going."""
        with self._load_lock:
            seen, mtime = self._vector_mtime, self._vector_file_mtime()
            if mtime == seen and self._vectors is not None:
                vectors, sparse = self._vectors, self._sparse  # what this snapshot holds
            else:
                vectors, sparse = load_saved(
                    self.vector_path, self.sparse_path, self.embedder, self.sparse_encoder
                )
            with self.db.read() as session:
                generation = self.generation(session)
                catalog = Catalog.load(session)
                indexed = indexed_revisions(session, self.keyword, vectors, sparse)
            centroids = vectors.mean_by_group(catalog.chunks_by_language)
            over = read_over_budget(self.settings.index_path / OVER_BUDGET_FILE)
            with self._catalog_lock:
                if self._vector_mtime != seen:
                    return  # this process's own round swapped in newer indexes meanwhile
                self._vectors, self._sparse, self.centroids = vectors, sparse, centroids
                self._vector_mtime = mtime
                self._catalog, self._generation = catalog, generation
                self._indexed = indexed
                if finished:
                    self._indexed_generation = published or generation
                self._over_budget = frozenset(over["dense"].values()) | frozenset(
                    over["sparse"].values()
                )
                if rebuilt:
                    self._rebuilding = set()

    def wait_indexed(self, timeout: float = 60.0) -> bool:
        """Wait until the indexes hold every document as it is now (True) or time runs out."""
        if self.worker is None:
            self.catalog()
            return True
        return self.worker.wait_idle(timeout)

    def index_state(self, source: str) -> str | None:
        """Return "indexed", "partly" (indexed by what fits) or "pending" (being indexed) for a
        document, None when there is none; the search snapshot is what counts."""
        with self.db.read() as session:
            row = session.execute(
                select(Document.id, Document.revision, Document.text).where(
                    Document.source == source
                )
            ).first()
        if row is None:
            return None
        if self._indexed.get(row.id) != row.revision:
            return "pending"
        return "partly" if row.id in self._over_budget or fits_note(row.text or "") else "indexed"

    def keyword_waiting(self, flush: bool = False) -> int:
        """Return how many documents an ingest stored still wait for the keyword index
        (flush: after writing them, unless another process writes the indexes now)."""
        if flush:
            self._keyword_batches.flush(self.db, self.keyword)
        return len(self._keyword_batches.pending)

    def documents_changed(self, progress=None, inline: bool = False, doc_ids=None) -> None:
        """Bring the indexes up to date after a store write: queued for the background
        worker when there is one (a web upload), else at once (an ingest, the command line);
        `doc_ids`, an ingest's batch, go to the keyword index a batch at a time."""
        if self.worker is not None and not inline:
            self.worker.nudge()
        elif doc_ids is not None:
            self._keyword_batches.add(doc_ids, self.db, self.keyword)
        else:
            self.last_sync = self.sync_indexes(progress=progress)
