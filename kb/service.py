"""The facade the web app and the command line share: one object per instance."""

from __future__ import annotations

import fcntl
import hashlib
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.config import Settings
from kb.db import make_engine, make_sessionmaker, upgrade
from kb.ingest.bundle import read_bundle
from kb.ingest.records import IngestReport
from kb.ingest.store import Store, fits_note
from kb.limits import EMBED_BATCH_BACKGROUND, INDEX_SECONDS_PER_DOCUMENT
from kb.models import ApiToken, Chunk, Document, Person
from kb.search.access import Viewer
from kb.search.background import IndexWorker
from kb.search.catalog import Catalog
from kb.search.embed import Embedder, make_embedder
from kb.search.hybrid import HybridSearcher, SearchParams, SearchRequest, SearchResult
from kb.search.indexer import (
    SyncReport,
    indexed_revisions,
    open_sparse,
    open_vectors,
    sync,
)
from kb.search.keyword import KeywordIndex
from kb.search.sparse import SparseEncoder, SparseIndex, make_sparse_encoder
from kb.search.vectors import VectorIndex


class UnknownPerson(LookupError):
    """A person id that is not in the knowledge base."""


def hash_token(token: str) -> str:
    """Hash an API token; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class KnowledgeBase:
    """Everything kb can do for one instance: ingest, search, expertise, tokens."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        sparse_encoder: SparseEncoder | None = None,
    ) -> None:
        self.settings = settings
        settings.instance_path.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.database_url)
        upgrade(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        self.embedder = embedder or make_embedder(settings.embedder)
        # Unless given one, the encoder that goes with the configured embedder (if it has one).
        self.sparse_encoder = sparse_encoder or make_sparse_encoder(settings.embedder)
        self.keyword = KeywordIndex(settings.index_path / "whoosh")
        self.vector_path = settings.index_path / "vectors"
        self.sparse_path = settings.index_path / "sparse"
        self._vectors = None
        self._vectors_rebuilt = False
        self._sparse = None
        self._sparse_rebuilt = False
        self._centroids: dict = {}
        self._catalog: Catalog | None = None
        self._generation = None
        # One sync at a time in this process; request threads never take this lock.
        self._sync_lock = threading.RLock()
        # Held only to swap a snapshot in or to reread the catalog: never while embedding.
        self._catalog_lock = threading.Lock()
        self._vector_mtime: tuple = ()
        self._indexed: dict[int, int] = {}
        self._indexed_generation = None
        self._over_budget: frozenset[int] = frozenset()
        # The background indexer of a running server (start_indexer); None on the command line.
        self.worker: IndexWorker | None = None
        self._last_sync: SyncReport | None = None
        # The one write path for documents; every write ends in _documents_changed.
        self.store = Store(self.session, self._documents_changed)

    # ---------------------------------------------------------------- plumbing
    @contextmanager
    def session(self):
        """Yield a session that commits on success and rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def index_lock(self):
        """Hold the instance's index lock so only one process writes the indexes at a time."""
        self.settings.index_path.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_path / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def ingest_lock(self, on_wait=None):
        """Let one ingest at a time write this instance; a second one waits (after on_wait())."""
        self.settings.index_path.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_path / ".ingest-lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

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
        """Return a cheap fingerprint of the documents; it changes whenever any of them does."""
        return tuple(
            session.execute(
                select(
                    func.count(Document.id),
                    func.coalesce(func.max(Document.id), 0),
                    func.coalesce(func.sum(Document.revision), 0),
                )
            ).one()
        )

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
        with self._sync_lock, self.index_lock(), self.sessions() as session:
            # Read the fingerprint before the indexes: a change committed while they sync is
            # then still news to the next catalog() call, never marked as seen unindexed.
            generation = self.generation(session)
            if force:
                self.keyword.open(create=True)
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
                batch=EMBED_BATCH_BACKGROUND if background else None,
            )
            catalog = Catalog.load(session)
            centroids = vectors.mean_by_group(catalog.chunks_by_language)
            indexed = indexed_revisions(session, self.keyword, vectors, sparse)
            with self._catalog_lock:
                self._vectors, self._sparse, self._centroids = vectors, sparse, centroids
                self._vectors_rebuilt = self._sparse_rebuilt = False
                self._vector_mtime = self._vector_file_mtime()
                self._catalog, self._generation = catalog, generation
                self._indexed, self._indexed_generation = indexed, generation
                self._over_budget = report.over_budget
            return report

    def _vector_file_mtime(self) -> tuple:
        paths = (self.vector_path / "vectors.json", self.sparse_path / "sparse.json")
        return tuple(p.stat().st_mtime_ns if p.exists() else None for p in paths)

    def _current_generation(self) -> tuple:
        with self.sessions() as session:
            return self.generation(session)

    def index_stale(self) -> bool:
        """Tell whether the database or another process's indexes are newer than the snapshot."""
        return (
            self._current_generation() != self._indexed_generation
            or self._vector_file_mtime() != self._vector_mtime
        )

    def catalog(self) -> Catalog:
        """Return the catalog of the documents as they are now; nudge the indexer on a change.

        With a background indexer (the web app) this never embeds: it rereads the documents'
        metadata, which is cheap, so access checks and filters always follow the database,
        and the indexes catch up behind it. Without one (the command line) it syncs here.
        """
        with self.sessions() as session:
            current = self.generation(session)
            if self._catalog is not None and current == self._generation:
                return self._catalog
            if self.worker is None:
                session.close()
                self.sync_indexes()
                return self._catalog
            with self._catalog_lock:
                if self._catalog is None or current != self._generation:
                    self._catalog, self._generation = Catalog.load(session), current
                catalog = self._catalog
        self.worker.nudge()
        return catalog

    def start_indexer(self) -> IndexWorker:
        """Serve from the indexes on disk at once and keep them up to date in a background thread."""
        if self.worker is None:
            with self.sessions() as session:
                generation = self.generation(session)
                self._catalog, self._generation = Catalog.load(session), generation
                self._indexed = indexed_revisions(
                    session, self.keyword, self.vectors, self.sparse_index
                )
            self._centroids = self.vectors.mean_by_group(self._catalog.chunks_by_language)
            self.worker = IndexWorker(self.sync_indexes, self.index_stale).start()
        return self.worker

    def wait_indexed(self, timeout: float = 60.0) -> bool:
        """Wait until the indexes hold every document as it is now (True) or time runs out."""
        if self.worker is None:
            self.catalog()
            return True
        return self.worker.wait_idle(timeout)

    def index_state(self, source: str) -> str | None:
        """Return "indexed", "partly" (indexed by what fits) or "pending" (being indexed) for a
        document, None when there is none; the search snapshot is what counts."""
        with self.sessions() as session:
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

    def _documents_changed(self, progress=None, inline: bool = False) -> None:
        """Bring the indexes up to date after a store write: queued for the background
        worker when there is one (a web upload), else at once (an ingest, the command line)."""
        if self.worker is not None and not inline:
            self.worker.nudge()
        else:
            self._last_sync = self.sync_indexes(progress=progress)

    # ---------------------------------------------------------------- ingest
    def ingest(
        self, bundle: str | Path, prune: bool = False, progress=None, on_wait=None
    ) -> IngestReport:
        """Import a bundle through the store; bad files never stop the run.

        Two ingests of one instance take turns (the second calls on_wait() and waits).
        """
        contents = read_bundle(bundle, progress=progress("reading") if progress else None)
        with self.ingest_lock(on_wait):
            self._last_sync = None
            report = self.store.ingest(contents, prune, progress("embedding") if progress else None)
            synced = self._last_sync
        over = getattr(synced, "over_budget", frozenset()) & report.changed_document_ids
        if over:
            sources = {d: self._catalog.docs[d].source for d in over if d in self._catalog.docs}
            report.notes.extend(
                f"{source}: indexed by what fits: embedding took longer than "
                f"{INDEX_SECONDS_PER_DOCUMENT:.0f} s, the rest is searchable by its words"
                for source in sorted(sources.values())
            )
        return report

    # ---------------------------------------------------------------- people and tokens
    def viewer(self, person_id: str) -> Viewer:
        """Return the viewer for a person id; raise UnknownPerson when there is none."""
        with self.sessions() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise UnknownPerson(person_id)
            return Viewer(person_id=person.id, unit=person.unit)

    def create_token(self, person_id: str) -> str:
        """Create an API token for a person; the token itself is shown once and never stored."""
        token = "kb_" + secrets.token_urlsafe(32)
        with self.session() as session:
            if session.get(Person, person_id) is None:
                raise UnknownPerson(person_id)
            session.add(
                ApiToken(person_id=person_id, token_hash=hash_token(token), prefix=token[:10])
            )
        return token

    def revoke_tokens(self, person_id: str | None = None, prefix: str | None = None) -> int:
        """Revoke a person's tokens (or the one with this prefix); return how many."""
        with self.session() as session:
            query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
            if person_id:
                query = query.where(ApiToken.person_id == person_id)
            if prefix:
                query = query.where(ApiToken.prefix == prefix[:10])
            tokens = list(session.scalars(query))
            for token in tokens:
                token.revoked_at = datetime.now()
            return len(tokens)

    def viewer_for_token(self, token: str) -> Viewer | None:
        """Return the viewer a valid, unrevoked token belongs to, else None."""
        if not token:
            return None
        with self.sessions() as session:
            row = session.scalar(
                select(ApiToken).where(
                    ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
                )
            )
            if row is None:
                return None
            person = session.get(Person, row.person_id)
            return Viewer(person_id=person.id, unit=person.unit) if person else None

    # ---------------------------------------------------------------- search
    def searcher(self) -> HybridSearcher:
        """Return a hybrid searcher over the current catalog and indexes."""
        s = self.settings
        catalog = self.catalog()
        return HybridSearcher(
            catalog,
            self.keyword,
            self.vectors,
            self.embedder,
            SearchParams(
                weights=s.weights,
                rrf_k=s.rrf_k,
                candidates=s.candidates,
                learned_boost=s.learned_boost,
                language_priors=s.language_priors,
            ),
            self.document_texts,
            sparse_index=self.sparse_index,
            sparse_encoder=self.sparse_encoder,
            centroids=self._centroids,
        )

    def document_texts(self, doc_id: int) -> tuple[str, dict[int, str]]:
        """Return a document's text and its chunks' texts."""
        with self.sessions() as session:
            text = session.scalar(select(Document.text).where(Document.id == doc_id)) or ""
            chunks = dict(
                session.execute(
                    select(Chunk.id, Chunk.text).where(Chunk.document_id == doc_id)
                ).all()
            )
        return text, chunks

    def search(self, request: SearchRequest) -> SearchResult:
        """Search for one viewer."""
        return self.searcher().search(request)

    # ---------------------------------------------------------------- names
    def person_names(self, ids) -> dict[str, str]:
        """Return the display names of these person ids (the id itself when unknown)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        with self.sessions() as session:
            found = dict(
                session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()
            )
        return {pid: found.get(pid, pid) for pid in ids}

    def people_refs(self, ids) -> list[dict]:
        """Return [{id, name}] for person ids, in order."""
        names = self.person_names(ids)
        return [{"id": pid, "name": names[pid]} for pid in names]

    def briefs(self, infos) -> list[dict]:
        """Return each catalog entry as the short dict lists show: title, kind, date, authors."""
        infos = list(infos)
        names = self.person_names([a for info in infos for a in info.authors])
        return [
            {
                "source": info.source,
                "title": info.title,
                "kind": info.kind,
                "date": info.date,
                "language": info.language,
                "group": info.group,
                "step": info.step,
                "authors": [{"id": a, "name": names.get(a, a)} for a in info.authors],
            }
            for info in infos
        ]

    def profile_names(self) -> dict[str, str]:
        """Return {id: name} of everyone with a profile."""
        with self.sessions() as session:
            rows = session.execute(select(Person.id, Person.name).where(Person.has_profile))
            return dict(rows.all())

    def profile_refs(self) -> list[dict]:
        """Return [{id, name}] of everyone with a profile, by name."""
        with self.sessions() as session:
            rows = session.execute(
                select(Person.id, Person.name).where(Person.has_profile).order_by(Person.name)
            )
            return [{"id": pid, "name": name} for pid, name in rows]

    # ---------------------------------------------------------------- export
    def export(self, folder: Path, viewer: Viewer | None = None) -> dict[str, int]:
        """Write the knowledge base out as a bundle: all of it, or what a viewer may open."""
        from kb.ingest.export import export_bundle

        only = None
        if viewer is not None and not viewer.is_system:
            catalog = self.catalog()
            only = {catalog.docs[d].source for d in catalog.visible(viewer)}
        with self.sessions() as session:
            return export_bundle(session, folder, only)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.keyword.close()
        self.engine.dispose()
