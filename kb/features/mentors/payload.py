"""The mentors answers: suggestions for one newcomer, and the matching of all of them."""

from __future__ import annotations

from collections.abc import Sequence

from kb.expertise.mentors import MentorMatch
from kb.features.mentors.queries import MentorsAnswer


def mentors_payload(answer: MentorsAnswer) -> dict:
    """Return the contract's mentors answer, with the newcomer asked about and the others."""
    return {
        "newcomer": answer.newcomer,
        "mentors": [
            {"id": m.person_id, "name": m.name, "score": m.score, "reasons": list(m.reasons)}
            for m in answer.mentors
        ],
        "newcomers": answer.newcomers,
        "is_coordinator": answer.is_coordinator,
    }


def matching_payload(matches: Sequence[MentorMatch]) -> dict:
    """Return a matching of all newcomers."""
    return {
        "matches": [
            {
                "newcomer": m.newcomer_id,
                "newcomer_name": m.newcomer_name,
                "mentor": m.mentor_id,
                "mentor_name": m.mentor_name,
                "reasons": list(m.reasons),
            }
            for m in matches
        ]
    }
