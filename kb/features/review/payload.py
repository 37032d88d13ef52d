"""The review answer: the API body, the page's context and `kb review --json`."""

from __future__ import annotations

from kb.features.review.queries import ReviewAnswer
from kb.upkeep.freshness import Freshness, entries


def review_payload(kb, answer: ReviewAnswer) -> dict:
    """Return `overdue` (the viewer's documents past their review date: the piece a home page
    shows), `owned` (all the viewer owns) and `unowned` (None unless a coordinator asks)."""
    owned = entries(answer.owned, kb.people.person_names)
    return {
        "overdue": [e for e in owned if e["overdue"]],
        "owned": owned,
        "unowned": entries(answer.unowned, kb.people.person_names)
        if answer.unowned is not None
        else None,
    }


def state_payload(kb, state: Freshness) -> dict:
    """Return one document's owners and review dates."""
    return entries([state], kb.people.person_names)[0]
