"""The store: the one write path for documents (a bundle's are written by its half for
bundles, kb.ingest.batches, reached through Store.bundle)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.ingest.batches import BundleRun, apply_bundle  # noqa: F401
from kb.ingest.records import DocumentRecord
from kb.ingest.rows import (  # noqa: F401
    document_chunks,
    fingerprint,
    fits_note,
    place_document,
    upsert_document,
    write_document,
)
from kb.ingest.upkeep import apply_upkeep
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
    (inline), a web upload only queues them for the background indexer. A bundle's batch
    calls `changed(None, inline=True, doc_ids=...)`: those documents go to the keyword index
    at once, the rest waits for the sync at the end. Every change bumps a document's
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

    def bundle(self) -> BundleRun:
        """Start storing a bundle in steps of a transaction each (kb.ingest.batches)."""
        return BundleRun(self._session, self._changed)

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
