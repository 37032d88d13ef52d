"""Gather the colleagues the mentor rules weigh, ask those rules, and keep the mentorships.

Who may see what: everyone sees their own mentor suggestions; only a coordinator sees the
suggestions for another newcomer and the matching of all of them, and only a coordinator
assigns, changes and ends a mentorship.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.access import Viewer
from kb.accounts import is_coordinator, require_coordinator
from kb.expertise.mentors import (
    Colleague,
    MentorMatch,
    MentorSuggestion,
    eligibility,
    is_newcomer,
    match_all,
    suggest_mentors,
)
from kb.service import KnowledgeBase, UnknownPerson
from kb.services.expertise import Running


class MentorshipRefused(ValueError):
    """A mentorship that cannot be: `code` says why (see REFUSALS in the views)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def colleagues(kb: KnowledgeBase, viewer: Viewer) -> dict[str, Colleague]:
    """Return every colleague with a profile, with their evidence counted per subject."""
    return kb.expertise.colleagues(viewer)


def newcomers(kb: KnowledgeBase) -> list[str]:
    """Return the ids of the newcomers: marked so, or started within the configured months."""
    people = colleagues(kb, Viewer.system())
    today, months = kb.settings.as_of, kb.settings.newcomer_months
    return sorted(p.id for p in people.values() if is_newcomer(p, today, months))


def mentors(
    kb: KnowledgeBase, viewer: Viewer, newcomer_id: str, limit: int = 5
) -> list[MentorSuggestion]:
    """Suggest mentors for one newcomer, best first: one's own, or any for a coordinator."""
    people = colleagues(kb, viewer)
    if newcomer_id not in people:
        raise UnknownPerson(newcomer_id)
    if newcomer_id != viewer.person_id:
        require_coordinator(kb, viewer, "mentor suggestions for another colleague")
    return suggest_mentors(
        people[newcomer_id],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
        limit,
    )


def match_mentors(kb: KnowledgeBase, viewer: Viewer) -> list[MentorMatch]:
    """Match every newcomer without a mentor with one, within every mentor's capacity."""
    require_coordinator(kb, viewer, "the matching of all newcomers")
    people = colleagues(kb, viewer)
    ids = newcomers(kb)
    return match_all(
        [people[i] for i in ids],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
    )


def running(kb: KnowledgeBase, person_id: str | None = None) -> list[Running]:
    """Return the running mentorships (those someone is mentor or mentee in), oldest first."""
    return kb.expertise.running(person_id)


def assign(
    kb: KnowledgeBase, viewer: Viewer, mentor_id: str, mentee_id: str, since: date | None = None
) -> Running:
    """Make mentor_id the mentor of mentee_id (a coordinator's decision); it ends any other.

    Refused when the mentor has not offered to mentor, has no room left, is new or has left,
    or is the mentee.
    """
    require_coordinator(kb, viewer, "and assign mentorships")
    people = colleagues(kb, Viewer.system())
    for pid in (mentor_id, mentee_id):
        if pid not in people:
            raise UnknownPerson(pid)
    mentor, mentee = people[mentor_id], people[mentee_id]
    if mentee.mentored_by == mentor_id:
        return next(r for r in running(kb, mentee_id) if r.mentee_id == mentee_id)
    why = eligibility(mentor, mentee, kb.settings.as_of, kb.settings.newcomer_months)
    if why is not None:
        raise MentorshipRefused(why.replace(" ", "_"), mentor_id)
    kb.expertise.assign(mentor_id, mentee_id, since)
    return next(r for r in running(kb, mentee_id) if r.mentee_id == mentee_id)


def end(kb: KnowledgeBase, viewer: Viewer, mentee_id: str) -> bool:
    """End the mentorship of a newcomer (a coordinator's decision); False when none ran."""
    require_coordinator(kb, viewer, "and end mentorships")
    return kb.expertise.end(mentee_id)


@dataclass(frozen=True)
class MentorsAnswer:
    """Mentor suggestions for one newcomer (or none chosen), beside the list of all of them."""

    newcomer: dict | None
    mentors: list[MentorSuggestion]
    newcomers: list[dict]
    is_coordinator: bool
    mentor: dict | None = None  # the newcomer's mentor now, when one is assigned
    mentorships: tuple[Running, ...] = ()  # every running one (a coordinator's view)


def mentors_answer(
    kb: KnowledgeBase, viewer: Viewer, newcomer_id: str | None, limit: int = 5, strict=True
) -> MentorsAnswer:
    """Suggest mentors for a newcomer; with no id, for the viewer when they are new.

    A colleague who is no coordinator only ever gets their own suggestions: asking for
    someone else's raises NotCoordinator when `strict`, and chooses nobody otherwise.
    `strict` also raises UnknownPerson for an id that is nobody; otherwise an id that is not a
    newcomer's simply chooses nobody (a page link gone stale).
    """
    coordinator = is_coordinator(kb, viewer)
    ids = newcomers(kb)
    if newcomer_id is None and viewer.person_id in ids:
        newcomer_id = viewer.person_id
    if not strict and (
        newcomer_id not in ids or not (coordinator or newcomer_id == viewer.person_id)
    ):
        newcomer_id = None
    found = mentors(kb, viewer, newcomer_id, limit) if newcomer_id else []
    chosen = kb.people.people_refs([newcomer_id])[0] if newcomer_id else None
    runs = running(kb)
    current = next((r for r in runs if r.mentee_id == newcomer_id), None) if newcomer_id else None
    shown = ids if coordinator else [i for i in ids if i == viewer.person_id]
    return MentorsAnswer(
        chosen,
        found,
        kb.people.people_refs(shown),
        coordinator,
        {"id": current.mentor_id, "name": current.mentor_name} if current else None,
        tuple(runs) if coordinator else (),
    )
