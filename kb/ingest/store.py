"""The store: the one write path for documents, and how a bundle is applied to the database."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import fields, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.records import (
    PERSON_FIELDS,
    BundleContents,
    DocumentRecord,
    IngestReport,
    PersonRecord,
    Problem,
    Tally,
)
from kb.limits import MAX_CHUNKS_PER_DOCUMENT
from kb.models import Authorship, Chunk, Document, Mentorship, Original, Person, Skill
from kb.text.chunking import chunk_text


def _person_values(record: PersonRecord) -> dict:
    values = {f: getattr(record, f) for f in PERSON_FIELDS}
    for f in ("subjects", "grades", "languages"):
        values[f] = list(values[f])
    return values


def entry_hash(record: PersonRecord) -> str:
    """Hash a people.yaml entry as read, to tell later whether the bundle changed it."""
    return hashlib.sha256(repr(record).encode("utf-8")).hexdigest()


def upsert_person(session: Session, record: PersonRecord) -> str:
    """Create or update one person; return 'added', 'updated' or 'unchanged'.

    An entry the bundle has not changed since the last ingest leaves the person alone, so what
    a colleague edited on the web survives re-ingesting the same bundle.
    """
    person = session.get(Person, record.id)
    values = _person_values(record)
    skills = [(name, level) for name, level in record.skills]
    digest = entry_hash(record)
    if person is None:
        person = Person(
            id=record.id,
            has_profile=True,
            bundle_hash=digest,
            is_coordinator=record.coordinator,
            **values,
        )
        person.skills = [Skill(name=n, level=lv, position=i) for i, (n, lv) in enumerate(skills)]
        session.add(person)
        return "added"
    if person.has_profile and person.bundle_hash == digest:
        return "unchanged"
    person.bundle_hash = digest
    current = {f: getattr(person, f) for f in PERSON_FIELDS}
    current_skills = [(s.name, s.level) for s in person.skills]
    same_role = bool(person.is_coordinator) == record.coordinator
    same_mentees = sorted(mentees_of(session, person.id)) == sorted(record.mentees)
    same_profile = current == values and current_skills == skills and person.has_profile
    if same_profile and same_role and same_mentees:
        return "unchanged"
    if person.unit != record.unit:
        touch_documents_of(session, person.id)
    for key, value in values.items():
        setattr(person, key, value)
    person.has_profile = True
    person.is_coordinator = record.coordinator
    if current_skills != skills:
        person.skills = [Skill(name=n, level=lv, position=i) for i, (n, lv) in enumerate(skills)]
    return "updated"


def mentees_of(session: Session, mentor_id: str) -> list[str]:
    """Return the ids of the newcomers someone mentors now."""
    return list(
        session.scalars(select(Mentorship.mentee_id).where(Mentorship.mentor_id == mentor_id))
    )


def set_mentees(session: Session, record: PersonRecord, report: IngestReport) -> None:
    """Make the mentorships of a people.yaml entry the running ones; unknown ids are reported."""
    wanted = []
    for mentee in record.mentees:
        person = session.get(Person, mentee)
        if person is None or not person.has_profile:
            report.problems.append(
                Problem(
                    f"people.yaml ({record.id})",
                    f"mentee {mentee!r} is not in people.yaml; ignored",
                    refused=False,
                )
            )
        else:
            wanted.append(mentee)
    rows = session.scalars(select(Mentorship).where(Mentorship.mentor_id == record.id)).all()
    for row in rows:
        if row.mentee_id not in wanted:
            session.delete(row)
    have = {row.mentee_id for row in rows}
    for mentee in wanted:
        if mentee not in have:
            # A newcomer has one mentor: taking them on ends the mentorship they had.
            for other in session.scalars(select(Mentorship).where(Mentorship.mentee_id == mentee)):
                session.delete(other)
            session.flush()
            session.add(Mentorship(mentor_id=record.id, mentee_id=mentee))
    session.flush()


def touch_documents_of(session: Session, person_id: str) -> None:
    """Bump the revision of a person's documents: who may read them has changed."""
    docs = session.scalars(
        select(Document).join(Authorship).where(Authorship.person_id == person_id)
    )
    for doc in docs:
        doc.revision += 1


def ensure_people(session: Session, ids: tuple[str, ...]) -> None:
    """Create bare people for author ids that have no profile yet."""
    for pid in ids:
        if session.get(Person, pid) is None:
            session.add(
                Person(id=pid, name=pid, has_profile=False, subjects=[], grades=[], languages=[])
            )
    session.flush()


def write_document(session: Session, doc: Document, record: DocumentRecord) -> None:
    """Copy a record's fields, authors, original file and chunks onto a document row."""
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
        session.add(doc)
        return "added", doc
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
        outcome, doc = upsert_document(session, record)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome != "unchanged":
            session.flush()
            report.changed_document_ids.add(doc.id)
            note = fits_note(record.text)
            if note:
                report.notes.append(f"{record.source}: {note}")
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
    """Hash everything a record stores, so that any change to it counts as a change."""
    digest = hashlib.sha256()
    for f in fields(record):
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
        if session.scalar(select(Document.id).where(Document.source == source)) is None:
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

    def delete(self, source: str) -> bool:
        """Delete a document, its chunks and its original; return whether there was one."""
        with self._session() as session:
            doc = session.scalar(select(Document).where(Document.source == source))
            if doc is None:
                return False
            session.delete(doc)
        self._changed(None)
        return True
