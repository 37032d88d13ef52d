"""The store: the one write path for documents, and how a bundle is applied to the database."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.checks import check_record
from kb.ingest.people import ensure_people, set_mentees, upsert_person
from kb.ingest.records import (
    UPKEEP_FIELDS,
    BundleContents,
    DocumentRecord,
    IngestReport,
    Problem,
    Tally,
)
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
from kb.limits import MAX_CHUNKS_PER_DOCUMENT
from kb.models import (
    Authorship,
    Chunk,
    Document,
    Original,
)
from kb.text.chunking import chunk_text


def write_document(session: Session, doc: Document, record: DocumentRecord) -> None:
    """Copy a record's fields, authors, original file and chunks onto a document row.

    Every document write ends here: a record over a limit of kb.limits is refused here
    (Refused), whatever path it came by.
    """
    check_record(record)
    sections = dict(record.sections)
    doc.origin = record.origin
    doc.kind = record.kind
    doc.format = record.format
    doc.title = record.title
    doc.date = record.date
    doc.subjects = list(record.subjects)
    doc.grades = list(record.grades)
    doc.tags = list(record.tags)
    doc.language = record.language
    doc.language_guessed = record.language_guessed
    doc.visibility = record.visibility
    doc.group = record.group
    doc.step = record.step
    doc.did = sections.get("did")
    doc.went_well = sections.get("went_well")
    doc.went_less_well = sections.get("went_less_well")
    doc.take_away = sections.get("take_away")
    doc.body = record.body
    doc.text = record.text
    doc.content_hash = fingerprint(record)
    with session.no_autoflush:
        ensure_people(session, record.authors)
    if doc.author_ids != list(record.authors):
        if doc.authors:
            # Delete the old rows first: a re-added author would otherwise clash with itself.
            doc.authors.clear()
            session.flush()
        doc.authors = [
            Authorship(person_id=pid, position=i) for i, pid in enumerate(record.authors)
        ]
    if record.original is not None:
        filename = record.filename or record.source.rsplit("/", 1)[-1]
        media_type = record.media_type or "application/octet-stream"
        if doc.original is None:
            doc.original = Original(filename=filename, media_type=media_type, data=record.original)
        else:
            doc.original.filename, doc.original.media_type = filename, media_type
            doc.original.data = record.original
    else:
        doc.original = None
    kept, _total = document_chunks(record.text)
    doc.chunks = [Chunk(ordinal=i, text=t) for i, t in enumerate(kept)]


def document_chunks(text: str) -> tuple[list[str], int]:
    """Return the chunks of a text that are embedded (at most MAX_CHUNKS_PER_DOCUMENT) and
    how many it has; the keyword leg always reads the whole text."""
    chunks = chunk_text(text)
    return chunks[:MAX_CHUNKS_PER_DOCUMENT], len(chunks)


def fits_note(text: str) -> str | None:
    """Say how a document exceeds the bounded indexing cost, or None when it fits."""
    kept, total = document_chunks(text)
    if total > len(kept):
        return (
            f"indexed by what fits: the first {len(kept)} of {total} passages are searchable "
            "by meaning, all of the text by its words"
        )
    return None


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


def fingerprint(record: DocumentRecord) -> str:
    """Hash everything a record stores, so that any change to it counts as a change.

    Owners and review dates are kept apart (kb.ingest.upkeep.apply_upkeep): a review is
    no new version of the content."""
    digest = hashlib.sha256()
    for f in fields(record):
        if f.name in UPKEEP_FIELDS:
            continue
        value = getattr(record, f.name)
        part = value if isinstance(value, bytes) else repr(value).encode("utf-8")
        digest.update(f.name.encode() + len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


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
        self._changed(None)
        return source

    def delete(self, source: str, by: str | None = None) -> bool:
        """Delete a document, keeping its last state UNDO_DAYS for undelete; return whether
        there was one. Search and every answer lose it at once."""
        with self._session() as session:
            doc = row_of(session, source)
            if doc is None:
                return False
            mark_deleted(session, doc, by)
            session.delete(doc)
        self._changed(None)
        return True

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
        self._changed(None)
        return number

    def restore(self, source: str, number: int, by: str | None = None) -> int:
        """Make an earlier version the current one (as a new version); return its number."""
        with self._session() as session:
            doc = existing(session, source)
            record = replace(stored_record(session, source, number), source=source)
            new = _write_version(session, doc, record, "restored", by, restored_from=number)
        self._changed(None)
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
        self._changed(None)
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
