"""Owners and review dates: who keeps a document up to date, and when it is due again.

A document's owners are its `owners` when set, else its authors. It is *due* on its
`review_by` when set, else `review_days(kind)` after it was last reviewed (or, never
reviewed, after its date or the day it was stored). It is *overdue* once today is past
that day, and *unowned* when no owner is still here (every owner has left, or it has none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Authorship, Document, Person


@dataclass(frozen=True)
class Freshness:
    """A document's owners and review state on one day."""

    source: str
    title: str
    kind: str
    owners: tuple[str, ...]
    former_owners: tuple[str, ...]
    reviewed: date | None
    review_by: date
    overdue: bool
    unowned: bool


def owners_of(owners: Iterable[str] | None, authors: Iterable[str]) -> tuple[str, ...]:
    """Return the owners: those set, else the authors."""
    return tuple(dict.fromkeys(owners if owners is not None else authors))


def due_on(
    kind: str, reviewed: date | None, review_by: date | None, since: date, days: int
) -> date:
    """Return the day a document should be reviewed: review_by, else (reviewed or since) + days."""
    if review_by is not None:
        return review_by
    return (reviewed or since) + timedelta(days=days)


def still_here(owners: Iterable[str], left: Mapping[str, date | None], today: date) -> tuple:
    """Return the owners who have not left by today."""
    return tuple(o for o in owners if not (left.get(o) and left[o] <= today))


def freshness(session: Session, settings, sources: Iterable[str] | None = None) -> list[Freshness]:
    """Return the review state of these documents (every document when None), by source."""
    query = select(
        Document.id,
        Document.source,
        Document.title,
        Document.kind,
        Document.date,
        Document.created_at,
        Document.owners,
        Document.reviewed,
        Document.review_by,
    ).order_by(Document.source)
    if sources is not None:
        sources = list(sources)
        if not sources:
            return []
        query = query.where(Document.source.in_(sources))
    rows = session.execute(query).all()
    authors: dict[int, list[str]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        for doc_id, pid in session.execute(
            select(Authorship.document_id, Authorship.person_id)
            .where(Authorship.document_id.in_(ids[start : start + 500]))
            .order_by(Authorship.position)
        ):
            authors.setdefault(doc_id, []).append(pid)
    left = dict(
        session.execute(select(Person.id, Person.left).where(Person.left.is_not(None))).all()
    )
    today = settings.as_of
    out = []
    for r in rows:
        owners = owners_of(r.owners, authors.get(r.id, ()))
        here = still_here(owners, left, today)
        since = r.date or (r.created_at.date() if r.created_at else today)
        due = due_on(r.kind, r.reviewed, r.review_by, since, settings.review_days(r.kind))
        out.append(
            Freshness(
                source=r.source,
                title=r.title,
                kind=r.kind,
                owners=here,
                former_owners=tuple(o for o in owners if o not in here),
                reviewed=r.reviewed,
                review_by=due,
                overdue=due < today,
                unowned=not here,
            )
        )
    return out


def unowned_if_leaves(states: Iterable[Freshness], person_id: str) -> list[Freshness]:
    """Return the documents that would have no owner left if this person left."""
    return [s for s in states if s.owners == (person_id,)]


def freshness_entry(state: Freshness, names: Mapping[str, str]) -> dict:
    """Return a review state as the payloads show it (the `overdue` piece of a home page)."""
    return {
        "source": state.source,
        "title": state.title,
        "kind": state.kind,
        "owners": [{"id": o, "name": names.get(o, o)} for o in state.owners],
        "former_owners": [{"id": o, "name": names.get(o, o)} for o in state.former_owners],
        "reviewed": state.reviewed,
        "review_by": state.review_by,
        "overdue": state.overdue,
        "unowned": state.unowned,
    }


def entries(states: Iterable[Freshness], names_of) -> list[dict]:
    """Return review states as payload entries, names looked up once (names_of(ids) -> dict)."""
    states = list(states)
    names = names_of([o for s in states for o in (*s.owners, *s.former_owners)])
    return [freshness_entry(s, names) for s in states]
