"""A document record onto its database row: fields, authors, original file, chunks, hash.

Only the store (kb.ingest.store, and its half for bundles, kb.ingest.batches) calls these."""

from __future__ import annotations

import hashlib
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.checks import check_record
from kb.ingest.people import ensure_people
from kb.ingest.records import UPKEEP_FIELDS, DocumentRecord
from kb.ingest.upkeep import apply_upkeep
from kb.limits import MAX_CHUNKS_PER_DOCUMENT
from kb.models import Authorship, Chunk, Document, Original
from kb.text.chunking import chunk_text


def write_document(session: Session, doc: Document, record: DocumentRecord) -> None:
    """Copy a record's fields, authors, original file and chunks onto a document row.

    Every document write ends here: a record over a limit of kb.limits is refused here
    (Refused), whatever path it came by.
    """
    check_record(record)
    sections = dict(record.sections)
    # A passage is embedded with its document's title: under the same title its vector holds.
    same_title = doc.id is not None and doc.title == record.title
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
    doc.chunks = passage_rows(doc.chunks if same_title else [], kept)


def passage_rows(current: list[Chunk], texts: list[str]) -> list[Chunk]:
    """Return the chunk rows of a text's passages, keeping each row whose text is unchanged.

    A kept row keeps its id, and the indexes know a passage by its id alone: a change of who
    may read a document, or of its tags, leaves its passages found by meaning at once instead
    of waiting, unfound, to be embedded again.
    """
    held = {c.ordinal: c for c in current}
    return [
        held[i] if i in held and held[i].text == t else Chunk(ordinal=i, text=t)
        for i, t in enumerate(texts)
    ]


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


def upsert_document(session: Session, record: DocumentRecord) -> tuple[str, Document]:
    """Create or update one document by its source; unchanged content is left alone."""
    doc = session.scalar(select(Document).where(Document.source == record.source))
    return place_document(session, record, doc)


def place_document(
    session: Session, record: DocumentRecord, doc: Document | None
) -> tuple[str, Document]:
    """Create a document from a record, or update its row `doc`; unchanged content is left
    alone. Return added, updated or unchanged, and the row."""
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
