"""The mentors answers: suggestions for one newcomer, the matching of all, the mentorships."""

from __future__ import annotations

from collections.abc import Sequence

from kb.expertise.mentors import MentorMatch
from kb.features.mentors.queries import MentorsAnswer, Running


def running_payload(runs: Sequence[Running]) -> list[dict]:
    """Return running mentorships as {mentor, mentor_name, mentee, mentee_name, since}."""
    return [
        {
            "mentor": r.mentor_id,
            "mentor_name": r.mentor_name,
            "mentee": r.mentee_id,
            "mentee_name": r.mentee_name,
            "since": r.since,
        }
        for r in runs
    ]


def mentors_payload(answer: MentorsAnswer) -> dict:
    """Return the contract's mentors answer, with the newcomer asked about and the others.

    `mentor` is the newcomer's mentor now (None when nobody is assigned); `mentorships` lists
    every running one for a coordinator (empty for anyone else).
    """
    return {
        "newcomer": answer.newcomer,
        "mentor": answer.mentor,
        "mentors": [
            {
                "id": m.person_id,
                "name": m.name,
                "score": m.score,
                "reasons": list(m.reasons),
                "other_unit": m.other_unit,
            }
            for m in answer.mentors
        ],
        "newcomers": answer.newcomers,
        "is_coordinator": answer.is_coordinator,
        "mentorships": running_payload(answer.mentorships),
    }


def matching_payload(matches: Sequence[MentorMatch]) -> dict:
    """Return a matching of all newcomers; `running` marks a mentorship already assigned."""
    return {
        "matches": [
            {
                "newcomer": m.newcomer_id,
                "newcomer_name": m.newcomer_name,
                "mentor": m.mentor_id,
                "mentor_name": m.mentor_name,
                "reasons": list(m.reasons),
                "running": m.running,
            }
            for m in matches
        ]
    }
