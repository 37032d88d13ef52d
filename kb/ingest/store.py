"""The store: the one write path for documents, and how a bundle is applied to the database."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.ingest.checks import check_record
from kb.ingest.people import set_mentees, upsert_person
from kb.ingest.records import (
    BundleContents,
    DocumentRecord,
    IngestReport,
    Problem,
    Tally,
)
from kb.ingest.rows import document_chunks, fingerprint, fits_note, write_document  # noqa: F401
from kb.ingest.submit import Refused
from kb.ingest.upkeep import apply_requests, apply_upkeep
from kb.ingest.versions import (
    VersionError,
    changed,
    current_number,
    ensure_first,
    existing,
    has_history,
    keep,
    mark_deleted,
    purge_deleted,
    record_of,
    row_of,
    stored_record,
    undeletable,
)
from kb.models import (
    Document,
    DocumentVersion,
)


def upsert_document(session: Session, record: DocumentRecord) -> tuple[str, Document]:
    """Create or update one document by its source; unchanged content is left alone."""
    doc = session.scalar(select(Document).where(Document.source == record.source))
    if doc is None:
        doc = Document(source=record.source, revision=1)
        write_document(session, doc, record)
        apply_upkeep(doc, record)
        session.add(doc)
        return "added", doc
    apply_upkeep(doc, record)
    if doc.content_hash == fingerprint(record):
        return "unchanged", doc
    write_document(session, doc, record)
    doc.revision += 1
    return "updated", doc


def apply_bundle(
    session: Session, contents: BundleContents, prune: bool = False, progress=None
) -> IngestReport:
    """Store a bundle's records; the caller commits, so a failure stores nothing half-way."""
    report = IngestReport(problems=list(contents.problems))
    changed = []
    for record in contents.people:
        outcome = upsert_person(session, record)
        setattr(report.people, outcome, getattr(report.people, outcome) + 1)
        if outcome != "unchanged":
            changed.append(record)
    session.flush()
    for record in changed:
        set_mentees(session, record, report)
    tallies: dict[str, Tally] = {"material": report.material, "reflection": report.reflections}
    for kind in contents.unchanged.values():
        tallies[kind].unchanged += 1
    # One query for every stored hash, not one per document (100,000 queries took minutes).
    stored = dict(session.execute(select(Document.source, Document.content_hash)).all())
    records = contents.documents
    for record in progress(records) if progress else records:
        tally = tallies[record.kind]
        if stored.get(record.source) == fingerprint(record):
            tally.unchanged += 1
            continue
        try:
            check_record(record)
        except Refused as exc:
            report.problems.append(Problem(record.source, f"{exc.detail}; not imported"))
            continue
        outcome, doc = upsert_document(session, record)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome != "unchanged":
            session.flush()
            report.changed_document_ids.add(doc.id)
            note = fits_note(record.text)
            if note:
                report.notes.append(f"{record.source}: {note}")
    apply_requests(session, contents.requests, report)
    seen = {r.source for r in contents.documents} | set(contents.skipped_sources)
    seen |= set(contents.unchanged)
    # Only what came from a bundle can go missing from one: web uploads are never pruned.
    bundle_docs = (
        select(Document.id, Document.source, Document.kind)
        .where(Document.origin == "bundle")
        .order_by(Document.source)
    )
    for doc_id, source, kind in session.execute(bundle_docs).all():
        if source in seen:
            continue
        tally = tallies.get(kind, report.material)
        if prune:
            session.delete(session.get(Document, doc_id))
            tally.removed += 1
            report.changed_document_ids.add(doc_id)
        else:
            tally.missing += 1
            report.missing_sources.append(source)
    return report


def free_source(session: Session, folder: str, slug: str, ext: str) -> str:
    """Return `folder/slug-<id>.ext` with a fresh random id of six hex digits.

    The id, not a counter, keeps two documents of one title apart: a "-2" would tell the
    uploader that a document they may not see has the same title.
    """
    while True:
        source = f"{folder}/{slug}-{secrets.token_hex(3)}.{ext}"
        # A deleted document keeps its source for the undo: never hand it out again.
        if row_of(session, source) is None and not has_history(session, source):
            return source


class Store:
    """The one write path for documents: it alone hashes, versions and has the indexes synced.

    `session` opens a transaction (commit on success); `changed(progress, inline=False)` is
    called after every write that committed: an ingest has the indexes synced at once
    (inline), a web upload only queues them for the background indexer. Every change bumps a document's
    `revision`, its version number.
    """

    def __init__(self, session: Callable, changed: Callable[..., object]) -> None:
        self._session = session
        self._changed = changed
        self._held: bool = False
        self._pending: bool = False

    def _notify(self) -> None:
        """Have the indexes synced after a write, or once at the end of a batch."""
        if self._held:
            self._pending = True
        else:
            self._changed(None)

    @contextmanager
    def batch(self, progress=None, index: bool = True):
        """Write many documents, one transaction each, and sync the indexes once at the end
        (index False: leave that to a running server's indexer, which notices the change)."""
        self._held, self._pending = True, False
        try:
            yield self
        finally:
            self._held = False
            if self._pending and index:
                self._changed(progress, inline=True)

    def ingest(self, contents: BundleContents, prune: bool = False, progress=None) -> IngestReport:
        """Store what was read from a bundle in one transaction, then sync the indexes."""
        with self._session() as session:
            report = apply_bundle(session, contents, prune=prune)
        self._changed(progress, inline=True)
        return report

    def add(self, record: DocumentRecord, folder: str, slug: str) -> str:
        """Store a new document under the first free `folder/slug[-n].<format>`; return it."""
        with self._session() as session:
            source = free_source(session, folder, slug, record.format)
            placed = replace(
                record, source=source, filename=record.filename or source.rsplit("/", 1)[-1]
            )
            upsert_document(session, placed)
        self._notify()
        return source

    def put(self, record: DocumentRecord, by: str | None = None, then=None) -> str:
        """Store a document that lives elsewhere (a synced file) under its own source, a change
        as a new version; `then(session)` runs in the same transaction. Return added, updated
        or unchanged."""
        with self._session() as session:
            doc = row_of(session, record.source)
            if doc is None:
                outcome, doc = upsert_document(session, record)
                session.flush()
                if has_history(session, record.source):  # back after a delete: continue it
                    keep(session, record, "synced", by)
            elif doc.content_hash == fingerprint(record):
                outcome = "unchanged"
                apply_upkeep(doc, record)
            else:
                apply_upkeep(doc, record)
                _write_version(session, doc, record, "synced", by)
                outcome = "updated"
            if then is not None:
                then(session)
        if outcome != "unchanged":
            self._notify()
        return outcome

    def move(self, old: str, record: DocumentRecord, by: str | None = None, then=None) -> None:
        """Give a document a new source (a moved file), its versions going with it, and
        store the record read at the new place as its next version."""
        with self._session() as session:
            doc = existing(session, old)
            if row_of(session, record.source) is not None or has_history(session, record.source):
                raise VersionError("present", f"{record.source} is taken")
            ensure_first(session, doc)
            session.execute(
                update(DocumentVersion)
                .where(DocumentVersion.source == old)
                .values(source=record.source)
            )
            doc.source = record.source
            apply_upkeep(doc, record)
            _write_version(session, doc, record, "moved", by)
            if then is not None:
                then(session)
        self._notify()

    def delete(self, source: str, by: str | None = None, then=None) -> bool:
        """Delete a document, keeping its last state UNDO_DAYS for undelete; return whether
        there was one. Search and every answer lose it at once. `then(session)` runs in the
        same transaction."""
        with self._session() as session:
            doc = row_of(session, source)
            if doc is not None:
                mark_deleted(session, doc, by)
                session.delete(doc)
            if then is not None:
                then(session)
        if doc is not None:
            self._notify()
        return doc is not None

    def edit(self, source: str, by: str | None = None, **changes) -> int:
        """Change some fields of a document's record as a new version; return its number
        (the current one when nothing changed). Raise VersionError when there is none."""
        with self._session() as session:
            doc = existing(session, source)
            before = record_of(doc)
            after = changed(before, **changes)
            if fingerprint(after) == fingerprint(before):
                return current_number(session, source)
            number = _write_version(session, doc, after, "edited", by)
        self._notify()
        return number

    def restore(self, source: str, number: int, by: str | None = None) -> int:
        """Make an earlier version the current one (as a new version); return its number."""
        with self._session() as session:
            doc = existing(session, source)
            record = replace(stored_record(session, source, number), source=source)
            new = _write_version(session, doc, record, "restored", by, restored_from=number)
        self._notify()
        return new

    def undelete(self, source: str, by: str | None = None, now: datetime | None = None) -> int:
        """Bring back a document deleted less than UNDO_DAYS ago; return its version number."""
        with self._session() as session:
            if row_of(session, source) is not None:
                raise VersionError("present", f"{source} is not deleted")
            record = undeletable(session, source, now or datetime.now())
            doc = Document(source=source, revision=1)
            write_document(session, doc, record)
            session.add(doc)
            session.flush()
            number = keep(session, record, "undeleted", by)
        self._notify()
        return number

    def purge(self, now: datetime | None = None) -> list[str]:
        """Forget documents deleted more than UNDO_DAYS ago; return their sources."""
        with self._session() as session:
            return purge_deleted(session, now or datetime.now())

    def mark_reviewed(self, source: str, day, review_by=None) -> bool:
        """Mark a document as still right on `day`; `review_by` None: the kind's interval."""
        with self._session() as session:
            doc = session.scalar(select(Document).where(Document.source == source))
            if doc is None:
                return False
            doc.reviewed, doc.review_by = day, review_by
        return True

    def set_owners(self, source: str, owners: list[str] | None) -> bool:
        """Set who keeps a document up to date (None: its authors again)."""
        with self._session() as session:
            doc = session.scalar(select(Document).where(Document.source == source))
            if doc is None:
                return False
            doc.owners = list(dict.fromkeys(owners)) if owners is not None else None
        return True


def _write_version(session, doc, record, action, by, restored_from=None) -> int:
    """Keep the state before the first change, write the new one, keep it as a version."""
    ensure_first(session, doc)
    write_document(session, doc, record)
    doc.revision += 1
    return keep(session, record, action, by, restored_from=restored_from)
