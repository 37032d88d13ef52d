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
                "evidence": [
                    {"source": ev.source, "title": ev.title, "kind": ev.kind, "why": ev.why}
                    for ev in e.evidence
                ],
                "skills": [{"name": s.name, "level": s.level, "why": s.why} for s in e.skills],
            }
            for e in experts
        ],
    }
