"""The experts answer: the API body, the page's context and `kb experts --json`."""

from __future__ import annotations

from collections.abc import Sequence

from kb.expertise.experts import Expert


def experts_payload(question: str, experts: Sequence[Expert]) -> dict:
    """Return the contract's experts answer; declared skills ride beside the evidence."""
    return {
        "question": question,
        "experts": [
            {
                "id": e.person_id,
                "name": e.name,
                "score": e.score,
                "strength": e.strength,
                "evidence": [
                    {
                        "source": ev.source,
                        "title": ev.title,
                        "kind": ev.kind,
                        "why": f"{ev.why}; {ev.about}" if ev.about else ev.why,
                        "role": ev.why,
                        "about": ev.about,
                        "relevance": ev.relevance,
                    }
                    for ev in e.evidence
                ],
                "skills": [
                    {"name": s.name, "level": s.level, "why": s.why, "match": s.match}
                    for s in e.skills
                ],
            }
            for e in experts
        ],
    }
