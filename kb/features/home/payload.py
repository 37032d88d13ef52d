"""The home page answer: the API body, the page's context and `kb home --json`."""

from __future__ import annotations

from kb.features.home.queries import Home
from kb.service import KnowledgeBase
from kb.upkeep.freshness import entries


def home_payload(kb: KnowledgeBase, answer: Home) -> dict:
    """Return the home page: person, newcomer, groups, recent, mine, deleted, overdue (the
    viewer's own documents past their review date), mentors, mentees."""
    return {
        "person": answer.person,
        "newcomer": answer.newcomer,
        "groups": answer.groups,
        "recent": kb.documents.briefs(answer.recent),
        "mine": kb.documents.briefs(answer.mine),
        "deleted": answer.deleted,
        "overdue": entries(answer.overdue, kb.people.person_names),
        "mentors": kb.people.people_refs(answer.mentors),
        "mentees": kb.people.people_refs(answer.mentees),
    }
