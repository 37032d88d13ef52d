"""Versions of web documents: every change is kept, a delete can be undone for UNDO_DAYS.

A document's history lives in `document_versions`, named by its source. It starts at the first
change: the state before it becomes version 1, and every edit, restore or undelete adds the
new state as the next number. A delete adds a mark (no record) and removes the document row,
so search, experts, risk and the export lose it at once; undelete writes the last kept state
back under the same source. The store (kb/ingest/store.py) calls these inside its transaction.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.ingest.changes import same_content, what_changed
from kb.ingest.records import SECTIONS, DocumentRecord
from kb.limits import UNDO_DAYS
from kb.models import Document, DocumentVersion

SECTION_FIELDS = tuple(SECTIONS.values())
_TUPLES = ("authors", "subjects", "grades", "tags")


class VersionError(LookupError):
    """A change the history cannot make; `code` says why (missing, number, present, expired)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def record_of(doc: Document) -> DocumentRecord:
    """Return the record a document row was written from."""
    original = doc.original
    return DocumentRecord(
        source=doc.source,
        kind=doc.kind,
        format=doc.format,
        title=doc.title,
        text=doc.text or "",
        date=doc.date,
        authors=tuple(doc.author_ids),
        subjects=tuple(doc.subjects or ()),
        grades=tuple(doc.grades or ()),
        tags=tuple(doc.tags or ()),
        language=doc.language,
        language_guessed=bool(doc.language_guessed),
        visibility=doc.visibility,
        group=doc.group,
        step=doc.step,
        sections=tuple((f, getattr(doc, f)) for f in SECTION_FIELDS if getattr(doc, f)),
        body=doc.body,
        original=original.data if original else None,
        filename=original.filename if original else None,
        media_type=original.media_type if original else None,
        origin=doc.origin,
    )


def record_to_json(record: DocumentRecord) -> dict:
    """Return a record's fields as JSON values; the file is stored beside it."""
    out = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name == "original":
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[f.name] = value
    return out


def record_from_json(data: dict, original: bytes | None) -> DocumentRecord:
    """Return the record a version stored."""
    values = dict(data)
    for name in ("date", "reviewed", "review_by"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in _TUPLES:
        values[name] = tuple(values.get(name) or ())
    if values.get("owners") is not None:
        values["owners"] = tuple(values["owners"])
    values["sections"] = tuple(tuple(pair) for pair in values.get("sections") or ())
    known = {f.name for f in fields(DocumentRecord)}
    return DocumentRecord(**{k: v for k, v in values.items() if k in known}, original=original)


def row_of(session: Session, source: str) -> Document | None:
    """Return the document row of a source, or None."""
    return session.scalar(select(Document).where(Document.source == source))


def existing(session: Session, source: str) -> Document:
    """Return the document row of a source; raise VersionError when there is none."""
    doc = row_of(session, source)
    if doc is None:
        raise VersionError("missing", f"no document {source!r}")
    return doc


def current_number(session: Session, source: str) -> int:
    """Return the number of a source's latest version (1 before its first change)."""
    number = session.scalar(
        select(func.max(DocumentVersion.number)).where(DocumentVersion.source == source)
    )
    return number or 1


def history(session: Session, source: str) -> list[DocumentVersion]:
    """Return a source's versions and deletion marks, oldest first."""
    return list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.source == source)
            .order_by(DocumentVersion.number)
        )
    )


def _add(
    session: Session,
    source: str,
    action: str,
    by: str | None,
    record: DocumentRecord | None,
    at: datetime | None = None,
    restored_from: int | None = None,
) -> int:
    last = session.scalar(
        select(func.max(DocumentVersion.number)).where(DocumentVersion.source == source)
    )
    number = (last or 0) + 1
    session.add(
        DocumentVersion(
            source=source,
            number=number,
            action=action,
            restored_from=restored_from,
            person_id=by,
            at=at or datetime.now(),
            record=record_to_json(record) if record else None,
            original=record.original if record else None,
        )
    )
    session.flush()
    return number


def has_history(session: Session, source: str) -> bool:
    """Tell whether a source has versions kept (also after its document was deleted)."""
    found = session.scalar(
        select(DocumentVersion.id).where(DocumentVersion.source == source).limit(1)
    )
    return found is not None


def ensure_first(session: Session, doc: Document) -> None:
    """Keep the state before a document's first change as its version 1."""
    if not has_history(session, doc.source):
        first = doc.author_ids[0] if doc.author_ids else None
        _add(session, doc.source, "created", first, record_of(doc), at=doc.created_at)


def keep(
    session: Session, record: DocumentRecord, action: str, by: str | None, restored_from=None
) -> int:
    """Add the state a change wrote as the next version; return its number."""
    return _add(session, record.source, action, by, record, restored_from=restored_from)


def mark_deleted(session: Session, doc: Document, by: str | None) -> int:
    """Mark a document deleted (its last state is kept); return the mark's number."""
    ensure_first(session, doc)
    return _add(session, doc.source, "deleted", by, None)


def stored_record(session: Session, source: str, number: int) -> DocumentRecord:
    """Return the record version `number` of a source stored; raise VersionError."""
    row = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.source == source, DocumentVersion.number == number
        )
    )
    if row is None or row.record is None:
        raise VersionError("number", f"{source} has no version {number}")
    return record_from_json(row.record, row.original)


def undeletable(session: Session, source: str, now: datetime) -> DocumentRecord:
    """Return the last state of a deleted source that may still be brought back."""
    rows = history(session, source)
    if not rows or rows[-1].action != "deleted":
        raise VersionError("missing", f"{source} is not deleted")
    if now - rows[-1].at > timedelta(days=UNDO_DAYS):
        raise VersionError("expired", f"{source} was deleted more than {UNDO_DAYS} days ago")
    kept = [r for r in rows if r.record is not None]
    return record_from_json(kept[-1].record, kept[-1].original)


def purge_deleted(session: Session, now: datetime) -> list[str]:
    """Drop the history of documents deleted more than UNDO_DAYS ago; return their sources."""
    last = (
        select(DocumentVersion.source, func.max(DocumentVersion.number).label("n"))
        .group_by(DocumentVersion.source)
        .subquery()
    )
    marks = session.execute(
        select(DocumentVersion.source, DocumentVersion.at)
        .join(
            last,
            (last.c.source == DocumentVersion.source) & (last.c.n == DocumentVersion.number),
        )
        .where(DocumentVersion.action == "deleted")
    ).all()
    cutoff = now - timedelta(days=UNDO_DAYS)
    gone = sorted(source for source, at in marks if at < cutoff)
    live = set(session.scalars(select(Document.source).where(Document.source.in_(gone))))
    gone = [s for s in gone if s not in live]
    if gone:
        session.execute(delete(DocumentVersion).where(DocumentVersion.source.in_(gone)))
    return gone


def changed(record: DocumentRecord, **changes) -> DocumentRecord:
    """Return a record with some fields changed (tuples for the list fields)."""
    for name in _TUPLES:
        if name in changes:
            changes[name] = tuple(changes[name])
    return replace(record, **changes)


def version_list(session: Session, source: str, doc: Document | None) -> list[dict]:
    """Return a source's versions and deletions newest first: number, action, when, by whom,
    whether it is the current one (a deletion is listed, never restored)."""
    rows = history(session, source)
    if not rows and doc is not None:
        first = doc.author_ids[0] if doc.author_ids else None
        return [
            {"number": 1, "action": "created", "at": doc.created_at, "by": first, "current": True}
        ]
    kept = [r for r in rows if r.record is not None]
    newest = kept[-1].number if kept and doc is not None else None
    now = kept[-1].record if newest else None
    out, before = [], None
    for r in rows:
        # What each version changed from the one before it, and whether it says what the
        # current one says (then restoring it would change nothing).
        changes = what_changed(before, r.record) if r.record is not None else None
        out.append(
            {
                "number": r.number,
                "action": r.action,
                "at": r.at,
                "by": r.person_id,
                "restored_from": r.restored_from,
                "current": r.number == newest,
                "changes": changes,
                "same_as_current": r.number != newest and same_content(r.record, now),
            }
        )
        before = r.record if r.record is not None else before
    return out[::-1]


def recently_deleted(session: Session, now: datetime) -> list[tuple[str, datetime, DocumentRecord]]:
    """Return (source, when, last state) of documents deleted less than UNDO_DAYS ago."""
    marks = session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.action == "deleted",
            DocumentVersion.at >= now - timedelta(days=UNDO_DAYS),
        )
    ).all()
    out = []
    for mark in marks:
        rows = history(session, mark.source)
        if rows[-1].number != mark.number:
            continue  # brought back since
        kept = [r for r in rows if r.record is not None]
        out.append((mark.source, mark.at, record_from_json(kept[-1].record, None)))
    return sorted(out, key=lambda t: t[1], reverse=True)
