"""The search answer: the API body, the page's context and `kb search --json`."""

from __future__ import annotations

from kb.catalog import FACETS
from kb.features.search.queries import SearchAnswer, answer_groups
from kb.text.questions import learned_topic


def search_payload(answer: SearchAnswer) -> dict:
    """Return the contract's search answer, with totals, facets and each hit's authors.

    Snippets arrive HTML-escaped with only <mark> added (kb.search.query.hybrid.snippet). A hit is
    `overdue` past its review date; `search_id` is what a click on a hit reports (page: the
    /hit/ID/SOURCE link; API: POST /api/search/ID/click), so that a search nobody opened a
    hit of counts as a search gap. The
    filters are those asked for (the date range as `since` and `until`, as in the URL and
    the CLI); `names` names the authors of the author facet. `closest` holds the material
    nearest a question that nothing answers confidently (then `hits` is empty).
    """
    result, filters = answer.result, answer.filters
    hits = [hit_payload(answer, h) for h in (result.hits if result else ())]
    # No confident answer: the nearest material, never counted as hits (docs/api.md).
    closest = [hit_payload(answer, h) for h in (result.closest if result else ())]
    facets = result.facets if result else {}
    return {
        "query": answer.query,
        "hits": hits,
        "closest": closest,
        "total": result.total if result else 0,
        "facets": {f: facets[f] for f in FACETS if facets.get(f)},
        "learned": result.learned if result else False,
        # What a "vad har vi lärt oss om Y?" question is about: the page links there with Y.
        "learned_topic": learned_topic(answer.query) if result and result.learned else None,
        # "Menade du …?": the question in the viewer's own words, when some word was unknown.
        "suggestion": result.suggestion if result else None,
        # Facet values the question names ("åk 5"): offered as a filter, "Visa bara åk 4-6".
        "named_facets": [{"facet": f, "value": v} for f, v in (result.named if result else ())],
        "offset": answer.offset,
        "limit": answer.limit,
        "filters": {
            **{f: getattr(filters, f) for f in FACETS if getattr(filters, f)},
            **{
                name: day.isoformat()
                for name, day in (("since", filters.date_from), ("until", filters.date_to))
                if day
            },
        },
        "sort": answer.sort,
        "names": answer.names,
        "search_id": answer.search_id,
        # Legs being rebuilt after a damaged index was set aside: fewer hits until they are back.
        "rebuilding": list(answer.rebuilding),
        # While the vectors are still being made: how many of the viewer's passages the
        # semantic legs hold so far (the keyword leg covers every one); None once complete.
        "semantic": progress_payload(answer.semantic),
        # The extractive answer (docs/answers.md): None when it abstains.
        "answer": answer_groups(answer.answer, answer.briefs, answer.query),
    }


def progress_payload(progress: tuple[int, int] | None) -> dict | None:
    """Return how far the semantic legs have come as {"done", "total"}, None when complete."""
    return None if progress is None else {"done": progress[0], "total": progress[1]}


def hit_payload(answer: SearchAnswer, h) -> dict:
    """Return one hit as the contract has it, with its authors and whether it is overdue."""
    brief = answer.briefs.get(h.source, {"authors": []})
    return {
        **brief,
        "source": h.source,
        "title": h.title,
        "kind": h.kind,
        "score": h.score,
        "snippet": h.snippet,
        "doc_id": h.doc_id,
        "overdue": h.source in answer.overdue,
    }
