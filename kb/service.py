"""The facade the web app and the command line share: one object per instance."""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
import threading
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kb.access import Viewer
from kb.catalog import Catalog
from kb.config import Settings, load_settings
from kb.db import make_engine, make_sessionmaker, upgrade
from kb.ingest import manifest
from kb.ingest.bundle import read_bundle
from kb.ingest.previews import Previews
from kb.ingest.records import IngestReport
from kb.ingest.store import Store
from kb.limits import EMBED_BATCH_CHILD, INDEX_SECONDS_PER_DOCUMENT
from kb.models import ApiToken, Chunk, Document, Person
from kb.search.indexes.indexer import SyncReport
from kb.search.indexes.keyword import KeywordIndex
from kb.search.model.backends import make_embedder, make_sparse_encoder
from kb.search.model.embed import Embedder
from kb.search.model.sparse import SparseEncoder
from kb.search.query.calibration import Null
from kb.search.query.hybrid import HybridSearcher, SearchParams, SearchRequest, SearchResult
from kb.search.serving.background import IndexWorker
from kb.search.serving.indexproc import lower_priority, serve_child
from kb.search.serving.noise import NoiseFloor
from kb.search.serving.snapshots import IndexSnapshots
from kb.upkeep.base import Upkeep
from kb.upkeep.searchlog import SearchLog


class UnknownPerson(LookupError):
    """A person id that is not in the knowledge base."""


def hash_token(token: str) -> str:
    """Hash an API token; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class KnowledgeBase(IndexSnapshots, Upkeep):
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
        self.embedder = embedder or make_embedder(settings.embedder, settings.precision)
        # Unless given one, the encoder that goes with the configured embedder (if it has one);
        # the torch engine's encoder shares the embedder's forward pass.
        self.sparse_encoder = sparse_encoder or make_sparse_encoder(
            settings.embedder, self.embedder
        )
        self.keyword = KeywordIndex(settings.index_path / "whoosh")
        # How originals look (page HTML, PDF page images): derived, rebuilt when missing.
        self.previews = Previews(settings.instance_path / "previews")
        self.vector_path = settings.index_path / "vectors"
        self.sparse_path = settings.index_path / "sparse"
        self._vectors = None
        self._vectors_rebuilt = False
        self._sparse = None
        self._sparse_rebuilt = False
        self._centroids: dict = {}
        self._query_cache: dict = {}
        self._noise = NoiseFloor()
        window = timedelta(minutes=settings.click_window_minutes)
        self.search_log = SearchLog(self.session, window)
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
        self.last_sync: SyncReport | None = None
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

    # ---------------------------------------------------------------- batch work
    def yield_to_serving(self) -> None:
        """Run this process's batch work (ingest, reindex, the indexer) below serving:
        kb.toml's indexer_nice and indexer_threads."""
        lower_priority(self.settings.indexer_nice, self.settings.indexer_threads)

    def indexer_command(self) -> list[str]:
        """Return the command line of the server's child indexer (`kb indexer`)."""
        return [sys.executable, "-m", "kb.cli", "indexer"]

    def settings_line(self) -> str:
        """Return these settings as the one JSON line a child indexer is started with."""
        values = {k: v for k, v in asdict(self.settings).items() if v is not None}
        return json.dumps(
            values, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)
        )

    @classmethod
    def run_indexer_child(cls, lines, out) -> None:
        """Be a server's child indexer: settings from the first line, then one nudge a line."""
        values = json.loads(next(iter(lines)))
        settings = load_settings(values.pop("instance_path"), **values)
        lower_priority(settings.indexer_nice, settings.indexer_threads)
        kb = cls(settings)
        kb.embed_batch = EMBED_BATCH_CHILD

        def start(emit):
            def on_round(report) -> None:
                emit(
                    {
                        "changed": bool(getattr(report, "changed", False)),
                        "generation": list(kb._indexed_generation or ()),
                        "error": kb.worker.last_error,
                    }
                )

            return kb.start_indexer(on_round=on_round, on_start=lambda: emit({"busy": True}))

        try:
            serve_child(start, lines, out)
        finally:
            kb.close()

    # ---------------------------------------------------------------- ingest
    def ingest(
        self, bundle: str | Path, prune: bool = False, progress=None, on_wait=None
    ) -> IngestReport:
        """Import a bundle through the store; bad files never stop the run.

        Two ingests of one instance take turns (the second calls on_wait() and waits).
        """
        with self.ingest_lock(on_wait):
            path = self.settings.index_path / manifest.MANIFEST_FILE
            entries = manifest.load(path)
            reuse = manifest.reuser(entries, self._stored_hashes())
            contents = read_bundle(bundle, progress("reading") if progress else None, reuse)
            self.last_sync = None
            report = self.store.ingest(contents, prune, progress("embedding") if progress else None)
            synced = self.last_sync
            manifest.save(path, manifest.entries_after(entries, contents, self._stored_hashes()))
        over = getattr(synced, "over_budget", frozenset()) & report.changed_document_ids
        if over:
            sources = {d: self._catalog.docs[d].source for d in over if d in self._catalog.docs}
            report.notes.extend(
                f"{source}: indexed by what fits: embedding took longer than "
                f"{INDEX_SECONDS_PER_DOCUMENT:.0f} s, the rest is searchable by its words"
                for source in sorted(sources.values())
            )
        return report

    def _stored_hashes(self) -> dict[str, str]:
        """Return {source: content hash} of every document that came from a bundle."""
        with self.sessions() as session:
            rows = select(Document.source, Document.content_hash).where(Document.origin == "bundle")
            return dict(session.execute(rows).all())

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
                gate_z=SearchParams.gate_z if s.cutoff else None,
            ),
            self.document_texts,
            sparse_index=self.sparse_index,
            sparse_encoder=self.sparse_encoder,
            centroids=self._centroids,
            chunk_texts=self.chunk_texts,
            calibration=self._calibration,
            query_cache=self._query_cache,
        )

    def warm_up(self) -> threading.Thread:
        """Load the query models and measure the noise in the background after a start, so the
        first colleagues to search do not each wait for them (a failure shows in the log)."""
        thread = threading.Thread(
            target=lambda: self._calibration(self.searcher()), name="kb-warm-up", daemon=True
        )
        thread.start()
        return thread

    def search_ready(self) -> bool:
        """Tell whether a search needs no more warming up (models loaded, noise measured)."""
        return self._noise.known()

    def _calibration(self, searcher: HybridSearcher) -> dict[str, Null]:
        """Return each leg's noise over the current indexes (kb.search.serving.noise: measured once
        per index state, in the background once a first noise is known)."""
        state = (searcher.catalog, searcher.vectors, searcher.sparse_index, searcher.keyword)
        size = len(searcher.catalog.docs)
        return self._noise.of(state, searcher.params, searcher.null_scores, size)

    def document_texts(self, doc_ids: list[int]) -> dict[int, str]:
        """Return {doc_id: text} of these documents (those gone are left out)."""
        if not doc_ids:
            return {}
        with self.sessions() as session:
            rows = session.execute(
                select(Document.id, Document.text).where(Document.id.in_(doc_ids))
            )
            return {doc_id: text or "" for doc_id, text in rows}

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        """Return {chunk_id: text} of these chunks (those gone are left out)."""
        with self.sessions() as session:
            rows = session.execute(select(Chunk.id, Chunk.text).where(Chunk.id.in_(chunk_ids)))
            return dict(rows.all())

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

    def related(self, viewer: Viewer, source: str, limit: int = 5) -> list[dict]:
        """Return briefs of documents near this one that the viewer may open (none if hidden)."""
        from kb.search.query.related import related_documents

        catalog = self.catalog()
        info = catalog.by_source.get(source)
        if info is None or not catalog.may_open(viewer, source):
            return []
        ids = related_documents(catalog, self.vectors, viewer, info.id, limit)
        return self.briefs(catalog.docs[d] for d in ids)

    # ---------------------------------------------------------------- remote sources
    def sync(self, names=None, index: bool = True, progress=None, open_source=None):
        """Sync the remote folders kb.toml's [[sync]] entries name, through the store."""
        from kb.ingest.connectors.run import sync_sources, webdav_source

        return sync_sources(self, names, index, progress, open_source or webdav_source)

    def lives_at(self, source: str) -> str | None:
        """Return where a synced document lives at its source (None for any other)."""
        from kb.ingest.connectors.state import source_link

        with self.sessions() as session:
            return source_link(session, source)

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
        self.search_log.close()
        if self.worker is not None:
            self.worker.stop()
        self.keyword.close()
        self.engine.dispose()
