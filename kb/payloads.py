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
