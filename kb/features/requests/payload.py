"""The requests answer: the API body, the page's context and `kb requests --json`."""

from __future__ import annotations

from kb.features.requests.queries import RequestsAnswer


def requests_payload(answer: RequestsAnswer) -> dict:
    """Return each request with its asker, votes, suggested experts and (when the viewer may
    open it) the material that answers it; `open` is false once answered (by material the
    viewer may open)."""
    names = answer.names

    def ref(pid: str) -> dict:
        return {"id": pid, "name": names.get(pid, pid)}

    return {
        "requests": [
            {
                "id": a.id,
                "question": a.question,
                "asked_by": ref(a.asked_by),
                "asked_on": a.asked_on,
                "votes": len(a.votes),
                "voted": answer.viewer_id in a.votes,
                "experts": [ref(e) for e in a.experts],
                "open": a.answer is None,
                "answer": {"source": a.answer, "title": answer.titles.get(a.answer, a.answer)}
                if a.answer
                else None,
                "answered_on": a.answered_on,
                # Every answer the viewer may open, first first (`answer` is the first).
                "answers": [
                    {"source": s, "title": answer.titles.get(s, s), "answered_on": day}
                    for s, day in a.answers
                ],
            }
            for a in answer.asks
        ],
        "people": answer.people,
    }
