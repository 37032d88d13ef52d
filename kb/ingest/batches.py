"""The store's half for bundles: a bundle written in steps of one transaction each.

Reached through the store (kb.ingest.store.Store.bundle), which stays the one write path: its
people first, then its documents a batch of a few hundred at a time (one query for the rows
they change, one flush for them all), then its requests and what left it. `apply_bundle` does
the same in the caller's one transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.ingest.checks import check_record
from kb.ingest.people import people_of, set_mentees, upsert_person
from kb.ingest.records import BundleContents, DocumentRecord, IngestReport, Problem, Tally
from kb.ingest.rows import fingerprint, fits_note, place_document
from kb.ingest.submit import Refused
from kb.ingest.upkeep import apply_requests
from kb.limits import STORE_BATCH
from kb.models import Document, Person


def stored_hashes(session: Session) -> dict[str, str]:
    """Return {source: content hash} of every document, in one query (100,000 queries, one
    per document, took minutes)."""
    return dict(session.execute(select(Document.source, Document.content_hash)).all())


def _tallies(report: IngestReport) -> dict[str, Tally]:
    return {"material": report.material, "reflection": report.reflections}


def apply_people(session: Session, people, report: IngestReport) -> None:
    """Store a bundle's people and the mentorships their entries name."""
    changed = []
    ids = [record.id for record in people]
    # Read in one query per 500 and written in one flush: a query and a flush per person
    # took seconds for a few hundred.
    held = [p for i in range(0, len(ids), 500) for p in session.scalars(_people(ids[i : i + 500]))]
    with session.no_autoflush:
        for record in people:
            outcome = upsert_person(session, record)
            setattr(report.people, outcome, getattr(report.people, outcome) + 1)
            if outcome != "unchanged":
                changed.append(record)
    session.flush()
    del held
    for record in changed:
        set_mentees(session, record, report)


def _people(ids):
    return select(Person).where(Person.id.in_(ids)).options(selectinload(Person.skills))


def apply_documents(
    session: Session, records, stored: dict[str, str], report: IngestReport
) -> set[int]:
    """Store a batch of records in the caller's transaction: one query for the rows they
    change, one for their authors and one flush for them all, not one each. Return the ids
    of the documents changed; `stored` is {source: content hash} before the batch.
    """
    tallies = _tallies(report)
    todo: list[DocumentRecord] = []
    for record in records:
        if stored.get(record.source) == fingerprint(record):
            tallies[record.kind].unchanged += 1
            continue
        try:
            check_record(record)
        except Refused as exc:
            report.problems.append(Problem(record.source, f"{exc.detail}; not imported"))
            continue
        todo.append(record)
    rows: dict[str, Document] = {}
    sources = [record.source for record in todo if record.source in stored]
    for start in range(0, len(sources), 500):
        found = session.scalars(
            select(Document)
            .where(Document.source.in_(sources[start : start + 500]))
            .options(
                selectinload(Document.authors),
                selectinload(Document.chunks),
                selectinload(Document.original),
            )
        )
        rows.update((doc.source, doc) for doc in found)
    # Held until the flush: write_document then finds every author without a query.
    authors = people_of(session, [a for record in todo for a in record.authors])
    placed = []
    for record in todo:
        outcome, doc = place_document(session, record, rows.get(record.source))
        tally = tallies[record.kind]
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome != "unchanged":
            placed.append((doc, record))
    session.flush()
    del authors
    changed = set()
    for doc, record in placed:
        changed.add(doc.id)
        note = fits_note(record.text)
        if note:
            report.notes.append(f"{record.source}: {note}")
    report.changed_document_ids |= changed
    return changed


def apply_missing(session: Session, seen: set[str], prune: bool, report: IngestReport) -> None:
    """Count (or with prune, remove) the bundle's documents no longer in it."""
    tallies = _tallies(report)
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


def apply_bundle(session: Session, contents: BundleContents, prune: bool = False) -> IngestReport:
    """Store a bundle's records; the caller commits, so a failure stores nothing half-way."""
    report = IngestReport(problems=list(contents.problems))
    apply_people(session, contents.people, report)
    tallies = _tallies(report)
    for kind in contents.unchanged.values():
        tallies[kind].unchanged += 1
    stored = stored_hashes(session)
    records = contents.documents
    for start in range(0, len(records), STORE_BATCH):
        apply_documents(session, records[start : start + STORE_BATCH], stored, report)
    apply_requests(session, contents.requests, report)
    seen = {r.source for r in contents.documents} | set(contents.skipped_sources)
    apply_missing(session, seen | set(contents.unchanged), prune, report)
    return report


class BundleRun:
    """A bundle stored in steps of one transaction each: its people, its documents a batch
    at a time (each batch then queued for the keyword index), its requests and what left it,
    and the indexes synced at the end.

    A run killed half-way keeps every step it finished: run again, it finds those documents
    stored and unchanged and goes on from there. No document is ever stored in part: its
    row, chunks, authors and file are written in its batch's transaction.
    """

    def __init__(self, session, changed) -> None:
        self._session, self._changed = session, changed
        self.report = IngestReport()
        with session() as opened:
            self._stored = stored_hashes(opened)

    def people(self, records) -> None:
        """Store the people (and their mentorships) first: documents name them as authors."""
        with self._session() as session:
            apply_people(session, records, self.report)

    def documents(self, records) -> set[int]:
        """Store a batch in one transaction; return the ids of the documents it changed."""
        with self._session() as session:
            return apply_documents(session, records, self._stored, self.report)

    def index(self, doc_ids: set[int]) -> None:
        """Queue a stored batch's changed documents for the keyword index (written a few
        thousand at a time, one commit each: kb.search.indexes.batches)."""
        if doc_ids:
            self._changed(None, inline=True, doc_ids=doc_ids)

    def finish(
        self, requests, seen: set[str], unchanged: dict[str, str], prune: bool, progress=None
    ) -> IngestReport:
        """Store the requests, count the files not read again (`unchanged`, {source: kind})
        and count or prune what left the bundle (not in `seen`); then sync every index."""
        tallies = _tallies(self.report)
        for kind in unchanged.values():
            tallies[kind].unchanged += 1
        self.report.reused = len(unchanged)
        with self._session() as session:
            apply_requests(session, requests, self.report)
            apply_missing(session, seen, prune, self.report)
        self._changed(progress, inline=True)
        return self.report
