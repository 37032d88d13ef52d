"""Search for one viewer: the hits and what each is shown with, in one call of the facade."""

from __future__ import annotations

from kb.access import Viewer
from kb.catalog import Filters
from kb.search.query.hybrid import SORTS
from kb.service import KnowledgeBase
from kb.services.finder import SearchAnswer, answer_groups  # noqa: F401 (what payload.py reads)


def search(
    kb: KnowledgeBase,
    viewer: Viewer,
    text: str,
    filters: Filters | None = None,
    offset: int = 0,
    limit: int = 10,
    method: str | None = None,
    sort: str = SORTS[0],
    count: bool = False,
) -> SearchAnswer:
    """Search for a colleague; an empty question asks nothing. `count` counts a page's or
    the API's search toward the search gaps (its first page only: turning pages is the
    same search), and the answer carries the token its hits' click-through reports."""
    return kb.finder.page(viewer, text, filters, offset, limit, method, sort, count)
