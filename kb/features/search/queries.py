"""Search for one viewer and gather what each hit is shown with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kb.access import Viewer
from kb.catalog import Filters
from kb.search.query.hybrid import SORTS, SearchRequest, SearchResult
from kb.service import KnowledgeBase


@dataclass(frozen=True)
class SearchAnswer:
    """A search as asked, its result and each hit's catalog brief (authors, date, language)."""

    query: str
    filters: Filters
    offset: int
    limit: int
    result: SearchResult | None = None
    briefs: dict[str, dict] = field(default_factory=dict)
    sort: str = SORTS[0]
    names: dict[str, str] = field(default_factory=dict)  # of the authors in the facets
    # The hits' sources that are past their review date.
    overdue: frozenset[str] = frozenset()
    # The token a hit's click-through carries (page and API searches; None on the CLI).
    search_id: str | None = None
    # The legs still being rebuilt from the database after a damaged index was set aside:
    # until they are back the search finds less, and says so.
    rebuilding: tuple[str, ...] = ()


def search(
    kb: KnowledgeBase,
    viewer: Viewer,
    text: str,
    filters: Filters | None = None,
    offset: int = 0,
    limit: int = 10,
    method: str | None = None,
    sort: str = SORTS[0],
) -> SearchAnswer:
    """Search for a colleague; an empty question asks nothing."""
    text = (text or "").strip()
    filters = filters or Filters()
    if not text:
        return SearchAnswer(text, filters, offset, limit, sort=sort)
    result = kb.search(
        SearchRequest(
            text=text,
            viewer=viewer,
            filters=filters,
            limit=limit,
            offset=offset,
            method=method or kb.settings.fusion_method,
            sort=sort,
        )
    )
    catalog = kb.catalog()
    shown = result.hits + result.closest
    infos = [catalog.docs[h.doc_id] for h in shown if h.doc_id in catalog.docs]
    briefs = {b["source"]: b for b in kb.briefs(infos)}
    states = kb.freshness_of(viewer, [h.source for h in shown])
    overdue = frozenset(s for s, state in states.items() if state.overdue)
    authors = {*result.facets.get("author", {}), *([filters.author] if filters.author else [])}
    names = kb.person_names(sorted(authors))
    return SearchAnswer(
        text,
        filters,
        offset,
        limit,
        result,
        briefs,
        sort=sort,
        names=names,
        overdue=overdue,
        rebuilding=tuple(kb.rebuilding_legs()),
    )


def counted(kb: KnowledgeBase, viewer: Viewer, answer: SearchAnswer) -> SearchAnswer:
    """Count a colleague's search toward the search gaps (its first page only: turning
    pages is the same search); the answer gains the token its hits' click-through carries."""
    if not answer.query or answer.offset:
        return answer
    total = answer.result.total if answer.result else 0
    return replace(answer, search_id=kb.record_search(viewer, answer.query, total))
