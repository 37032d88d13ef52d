"""Gather the colleagues the mentor rules weigh, and ask those rules for one newcomer or all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kb.accounts import is_coordinator
from kb.expertise.mentors import (
    Colleague,
    MentorMatch,
    MentorSuggestion,
    is_newcomer,
    match_all,
    suggest_mentors,
)
from kb.models import Mentorship, Person
from kb.search.access import Viewer, may_read
from kb.service import KnowledgeBase, UnknownPerson


def colleagues(kb: KnowledgeBase, viewer: Viewer) -> dict[str, Colleague]:
    """Return every colleague with a profile, with their evidence counted per subject."""
    catalog = kb.catalog()
    evidence: dict[str, dict[str, int]] = {}
    for doc in catalog.docs.values():
        if not may_read(viewer, doc.readers):
            continue
        for author in doc.authors:
            for subject in doc.subjects:
                per = evidence.setdefault(author, {})
                per[subject] = per.get(subject, 0) + 1
    with kb.sessions() as session:
        mentees = dict(
            session.execute(
                select(Mentorship.mentor_id, func.count()).group_by(Mentorship.mentor_id)
            ).all()
        )
        out = {}
        for p in session.scalars(select(Person).where(Person.has_profile)):
            out[p.id] = Colleague(
                id=p.id,
                name=p.name,
                unit=p.unit,
                subjects=tuple(p.subjects or ()),
                grades=tuple(p.grades or ()),
                started=p.started,
                mentor=bool(p.mentor),
                mentor_capacity=p.mentor_capacity,
                mentees=mentees.get(p.id, 0),
                newcomer_mark=p.newcomer,
                skills=tuple(s.name for s in p.skills),
                evidence_by_subject=evidence.get(p.id, {}),
            )
    return out


def newcomers(kb: KnowledgeBase) -> list[str]:
    """Return the ids of the newcomers: marked so, or started within the configured months."""
    people = colleagues(kb, Viewer.system())
    today, months = kb.settings.as_of, kb.settings.newcomer_months
    return sorted(p.id for p in people.values() if is_newcomer(p, today, months))


def mentors(
    kb: KnowledgeBase, viewer: Viewer, newcomer_id: str, limit: int = 5
) -> list[MentorSuggestion]:
    """Suggest mentors for one newcomer, best fit first, each with reasons."""
    people = colleagues(kb, viewer)
    if newcomer_id not in people:
        raise UnknownPerson(newcomer_id)
    return suggest_mentors(
        people[newcomer_id],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
        limit,
    )


def match_mentors(kb: KnowledgeBase, viewer: Viewer) -> list[MentorMatch]:
    """Match every newcomer with a mentor at once, within every mentor's capacity."""
    people = colleagues(kb, viewer)
    ids = newcomers(kb)
    return match_all(
        [people[i] for i in ids],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
    )


@dataclass(frozen=True)
class MentorsAnswer:
    """Mentor suggestions for one newcomer (or none chosen), beside the list of all of them."""

    newcomer: dict | None
    mentors: list[MentorSuggestion]
    newcomers: list[dict]
    is_coordinator: bool


def mentors_answer(
    kb: KnowledgeBase, viewer: Viewer, newcomer_id: str | None, limit: int = 5, strict=True
) -> MentorsAnswer:
    """Suggest mentors for a newcomer; with no id, for the viewer when they are new.

    `strict` raises UnknownPerson for an id that is nobody; otherwise an id that is not a
    newcomer's simply chooses nobody (a page link gone stale).
    """
    ids = newcomers(kb)
    if newcomer_id is None and viewer.person_id in ids:
        newcomer_id = viewer.person_id
    if not strict and newcomer_id not in ids:
        newcomer_id = None
    found = mentors(kb, viewer, newcomer_id, limit) if newcomer_id else []
    chosen = kb.people_refs([newcomer_id])[0] if newcomer_id else None
    return MentorsAnswer(chosen, found, kb.people_refs(ids), is_coordinator(kb, viewer))
