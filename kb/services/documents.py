"""Documents: the one write path (the store), bundles in and out, remote folders, one
document as stored (its page, its download, its versions) and the short form lists show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Viewer
from kb.config import Settings
from kb.db import Database
from kb.ingest import manifest
from kb.ingest.bundle import bundle_extras, survey_bundle
from kb.ingest.previews import Previews
from kb.ingest.readers import read_documents
from kb.ingest.records import DocumentRecord, IngestReport
from kb.ingest.store import Store, fingerprint
from kb.ingest.versions import recently_deleted, record_of, undeletable, version_list
from kb.limits import INDEX_SECONDS_PER_DOCUMENT, STORE_BATCH
from kb.models import Document
from kb.search.serving.snapshots import IndexSnapshots
from kb.services.people import People

# The columns a page shows as they are stored.
_COLUMNS = (
    "source",
    "title",
    "kind",
    "format",
    "date",
    "language",
    "visibility",
    "group",
    "step",
    "origin",
    "text",
    "body",
    "updated_at",
)


@dataclass(frozen=True)
class Original:
    """A document's file as it was shared."""

    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class StoredDocument:
    """One document as stored, for its page and its download."""

    source: str
    title: str
    kind: str
    format: str
    date: date | None
    language: str | None
    visibility: str
    group: str | None
    step: str | None
    origin: str
    text: str | None
    body: str | None
    updated_at: datetime | None
    subjects: list[str]
    grades: list[str]
    tags: list[str]
    authors: list[dict]  # {id, name, has_profile}
    original: Original | None
    versions: list[dict]  # newest first (kb.ingest.versions.version_list); asked for only


@dataclass(frozen=True)
class SyncRunView:
    """One sync of a remote source, as the syncs page lists it."""

    source_name: str
    started: datetime
    finished: datetime | None
    status: str
    counts: dict
    problems: list
    error: str | None


# The stages of an ingest a progress bar each follows, file by file (embedding, at the end,
# has its own, passage by passage).
STAGES = ("reading", "storing", "indexing")


def _tick(bar, n: int) -> None:
    if bar is not None:
        bar.update(n)


class Documents:
    """The documents of one instance: written through the store, read as briefs."""

    def __init__(
        self, settings: Settings, db: Database, indexes: IndexSnapshots, people: People
    ) -> None:
        self.settings, self.db, self.indexes, self.people = settings, db, indexes, people
        # How originals look (page HTML, PDF page images): derived, rebuilt when missing.
        self.previews = Previews(settings.instance_path / "previews")
        # The one write path for documents; every write ends in documents_changed.
        self.store = Store(db.write, indexes.documents_changed)

    # ---------------------------------------------------------------- ingest
    def ingest(
        self, bundle: str | Path, prune: bool = False, progress=None, on_wait=None
    ) -> IngestReport:
        """Import a bundle through the store; bad files never stop the run.

        Its files are read side by side in sandbox children (kb.ingest.readers) and stored
        STORE_BATCH at a time, one transaction each, then written to the keyword index; the
        other indexes are synced at the end. An ingest killed at any point, run again, reads
        none of the files it stored and goes on from there. Two ingests of one instance take
        turns (the second calls on_wait() and waits).
        """
        indexes = self.indexes
        with indexes.ingest_lock(on_wait):
            kept = manifest.Manifest(self.settings.index_path / manifest.MANIFEST_FILE)
            survey = survey_bundle(bundle, kept.reuser(self._stored_hashes()))
            indexes.last_sync = None
            run = self.store.bundle()
            run.people(survey.people)
            problems = self._store_files(survey, run, kept, progress)
            requests, extra = bundle_extras(survey.root, survey.known)
            embedding = progress("embedding") if progress else None
            report = run.finish(requests, set(survey.order), survey.unchanged, prune, embedding)
            report.problems = survey.people_problems + problems + extra + report.problems
            over = indexes.over_budget(report.changed_document_ids)
            kept.save(survey.unchanged)
        if over:
            docs = indexes.catalog().docs
            sources = {docs[d].source for d in over if d in docs}
            report.notes.extend(
                f"{source}: indexed by what fits: embedding took longer than "
                f"{INDEX_SECONDS_PER_DOCUMENT:.0f} s, the rest is searchable by its words"
                for source in sorted(sources)
            )
        return report

    def _store_files(self, survey, run, kept, progress) -> list:
        """Read the files a survey found to read, store them a batch at a time and remember
        each batch in the manifest; return the problems of every file, in the bundle's order."""
        bars = [progress(s)(total=len(survey.to_read)) if progress else None for s in STAGES]
        problems = list(survey.file_problems)
        done = {"stored": 0, "indexed": 0}

        def indexed(flush: bool = False) -> None:
            # The files stored whose documents no longer wait for the keyword index.
            now = done["stored"] - self.indexes.keyword_waiting(flush)
            _tick(bars[2], now - done["indexed"])
            done["indexed"] = now

        def store(reads) -> None:
            # Remembered before the commit: an entry counts only once the database holds
            # the record it names, so a kill right after the commit costs no file a read.
            kept.add(
                {
                    r.source: manifest.entry(
                        survey.digests[r.source], fingerprint(r.record), r.problems
                    )
                    for r in reads
                    if r.record and r.source in survey.digests
                }
            )
            run.index(run.documents([r.record for r in reads if r.record]))
            done["stored"] += len(reads)
            _tick(bars[1], len(reads))
            indexed()

        waiting = []
        for batch in read_documents(survey.root, survey.to_read, survey.known):
            _tick(bars[0], len(batch))
            for read in batch:
                problems.extend(read.problems)
            waiting.extend(batch)
            while len(waiting) >= STORE_BATCH:
                store(waiting[:STORE_BATCH])
                waiting = waiting[STORE_BATCH:]
        if waiting:
            store(waiting)
        indexed(flush=True)
        for bar in bars:
            if bar is not None:
                bar.close()
        return survey.in_order(problems)

    def _stored_hashes(self) -> dict[str, str]:
        """Return {source: content hash} of every document that came from a bundle."""
        with self.db.read() as session:
            rows = select(Document.source, Document.content_hash).where(Document.origin == "bundle")
            return dict(session.execute(rows).all())

    # ---------------------------------------------------------------- briefs
    def briefs(self, infos, session: Session | None = None) -> list[dict]:
        """Return each catalog entry as the short dict lists show: title, kind, date, authors."""
        infos = list(infos)
        names = self.people.person_names([a for info in infos for a in info.authors], session)
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

    def related(self, viewer: Viewer, source: str, limit: int = 5) -> list[dict]:
        """Return briefs of documents near this one that the viewer may open (none if hidden)."""
        from kb.search.query.related import related_documents

        catalog = self.indexes.catalog()
        info = catalog.by_source.get(source)
        if info is None or not catalog.may_open(viewer, source):
            return []
        ids = related_documents(catalog, self.indexes.vectors, viewer, info.id, limit)
        return self.briefs(catalog.docs[d] for d in ids)

    # ---------------------------------------------------------------- remote sources
    def sync(self, names=None, index: bool = True, progress=None, open_source=None):
        """Sync the remote folders kb.toml's [[sync]] entries name, through the store."""
        from kb.ingest.connectors.run import sync_sources, webdav_source

        return sync_sources(
            self.db,
            self.store,
            self.settings.instance_path,
            self.indexes.sync_lock,
            names,
            index,
            progress,
            open_source or webdav_source,
        )

    def lives_at(self, source: str) -> str | None:
        """Return where a synced document lives at its source (None for any other)."""
        from kb.ingest.connectors.state import source_link

        with self.db.read() as session:
            return source_link(session, source)

    # ---------------------------------------------------------------- export
    def export(self, folder: Path, viewer: Viewer | None = None) -> dict[str, int]:
        """Write the knowledge base out as a bundle: all of it, or what a viewer may open."""
        from kb.ingest.export import export_bundle

        only = None
        if viewer is not None and not viewer.is_system:
            catalog = self.indexes.catalog()
            only = {catalog.docs[d].source for d in catalog.visible(viewer)}
        with self.db.read() as session:
            return export_bundle(session, folder, only)

    # ---------------------------------------------------------------- one document
    def opened(self, viewer: Viewer, source: str, versions: bool = False) -> StoredDocument | None:
        """Return a document as stored (its versions too when asked), read in one session;
        None when it is missing or not the viewer's to open."""
        with self.db.read() as session:
            if not self.indexes.catalog(session).may_open(viewer, source):
                return None
            doc = session.scalar(select(Document).where(Document.source == source))
            if doc is None:
                return None
            original = doc.original
            return StoredDocument(
                **{name: getattr(doc, name) for name in _COLUMNS},
                subjects=list(doc.subjects or ()),
                grades=list(doc.grades or ()),
                tags=list(doc.tags or ()),
                authors=[
                    {
                        "id": a.person_id,
                        "name": a.person.name if a.person else a.person_id,
                        "has_profile": bool(a.person and a.person.has_profile),
                    }
                    for a in doc.authors
                ],
                original=Original(original.filename, original.media_type, original.data)
                if original is not None
                else None,
                versions=version_list(session, source, doc) if versions else [],
            )

    def record(self, source: str) -> DocumentRecord | None:
        """Return the record a document was last written from, or None."""
        with self.db.read() as session:
            doc = session.scalar(select(Document).where(Document.source == source))
            return record_of(doc) if doc is not None else None

    def versions(self, source: str) -> tuple[str, list[dict]]:
        """Return a document's title and its versions, newest first."""
        with self.db.read() as session:
            doc = session.scalar(select(Document).where(Document.source == source))
            return doc.title, version_list(session, source, doc)

    def undeletable(self, source: str, now: datetime) -> DocumentRecord:
        """Return the last state of a deleted document that may still be brought back
        (VersionError when it may not)."""
        with self.db.read() as session:
            return undeletable(session, source, now)

    def recently_deleted(self, now: datetime) -> list[tuple[str, datetime, DocumentRecord]]:
        """Return (source, when, last state) of documents deleted within the undo days."""
        with self.db.read() as session:
            return recently_deleted(session, now)

    def take_aways(self, doc_ids: list[int]) -> dict[int, tuple[str | None, str]]:
        """Return {id: (take-away, text)} of these documents."""
        if not doc_ids:
            return {}
        with self.db.read() as session:
            rows = select(Document.id, Document.take_away, Document.text)
            found = session.execute(rows.where(Document.id.in_(doc_ids)))
            return {doc_id: (take_away, text or "") for doc_id, take_away, text in found}

    def sync_state(self, limit: int) -> tuple[list[SyncRunView], list[tuple[str, str, str | None]]]:
        """Return the last syncs, newest first, and the files refused as they are now
        (source name/path, why, link)."""
        from kb.ingest.connectors import state

        with self.db.read() as session:
            runs = [
                SyncRunView(
                    r.source_name,
                    r.started,
                    r.finished,
                    r.status,
                    dict(r.counts or {}),
                    list(r.problems or []),
                    r.error,
                )
                for r in state.recent_runs(session, limit)
            ]
            refused = [
                (f"{row.source_name}/{row.path}", row.problem, row.link)
                for row in state.standing_problems(session)
            ]
        return runs, refused
