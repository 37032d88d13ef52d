"""Turn service results into the plain dicts the JSON API, the pages and the CLI share."""

from __future__ import annotations

from kb.search.hybrid import SearchResult


def search_payload(result: SearchResult) -> dict:
    """Return the contract's search answer, plus total, facets and the legs' scores."""
    return {
        "hits": [
            {
                "source": h.source,
                "title": h.title,
                "kind": h.kind,
                "score": h.score,
                "snippet": h.snippet,
                "doc_id": h.doc_id,
            }
            for h in result.hits
        ],
        "total": result.total,
        "facets": result.facets,
        "learned": result.learned,
    }


def experts_payload(experts) -> dict:
    """Return the contract's experts answer; declared skills ride beside the evidence."""
    return {
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
        ]
    }


def mentors_payload(suggestions) -> dict:
    """Return the contract's mentors answer."""
    return {
        "mentors": [
            {"id": m.person_id, "name": m.name, "score": m.score, "reasons": list(m.reasons)}
            for m in suggestions
        ]
    }


def matching_payload(matches) -> dict:
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


def topics_payload(topics) -> dict:
    """Return the contract's risk answer, plus truck factor and single-holder flag."""
    return {
        "topics": [
            {
                "topic": t.name,
                "holders": list(t.holders),
                "sources": list(t.sources),
                "truck_factor": t.truck_factor,
                "single_holder": t.single,
                "labels": list(t.labels),
            }
            for t in topics
        ]
    }
