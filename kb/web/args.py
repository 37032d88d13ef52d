"""Reading query parameters: the pages forgive nonsense, the API names it."""

from __future__ import annotations

from datetime import date

from flask import request

from kb.catalog import FACET_LIST, FACETS, Filters
from kb.ingest.records import KINDS
from kb.search.query.hybrid import SORTS
from kb.web.routes import BadRequest


def text_arg(name: str = "q", limit: int = 500) -> str:
    """Return a trimmed text parameter, cut to `limit` characters."""
    return (request.args.get(name) or "").strip()[:limit]


def page_int(name: str, default: int, lo: int, hi: int) -> int:
    """Read a whole number for a page; nonsense gives the default, the bounds clamp it."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, lo), hi)


def api_int(name: str, default: int, lo: int = 1, hi: int = 100) -> int:
    """Read an integer API parameter within bounds; raise BadRequest otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from exc
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must lie between {lo} and {hi}")
    return value


def api_date(name: str) -> date | None:
    """Read a YYYY-MM-DD API parameter; raise BadRequest otherwise."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, not {raw!r}") from exc


def required_text(name: str, what: str, limit: int | None = None) -> str:
    """Return a required API text parameter; raise BadRequest when it is missing or too long."""
    text = (request.args.get(name) or "").strip()
    if not text:
        raise BadRequest(f"{name} is required: {what}")
    if limit is not None and len(text) > limit:
        raise BadRequest(f"{name} is too long (at most {limit} characters)")
    return text


def page_date(name: str) -> date | None:
    """Read a YYYY-MM-DD date for a page; nonsense is no date."""
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def page_filters() -> Filters:
    """Read the facets the search page offers and the date range; nonsense is dropped."""
    values = {f.name: (request.args.get(f.name) or None) for f in FACET_LIST if f.on_page}
    if values.get("kind") not in (None, *KINDS):
        values["kind"] = None
    return Filters(**values, date_from=page_date("since"), date_to=page_date("until"))


def page_sort() -> str:
    """Read the order of the search page's hits; anything unknown is relevance."""
    wanted = request.args.get("sort")
    return wanted if wanted in SORTS else SORTS[0]


def api_sort() -> str:
    """Read the order of an API search; raise BadRequest for an unknown one."""
    wanted = request.args.get("sort") or SORTS[0]
    if wanted not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    return wanted


def api_filters() -> Filters:
    """Read every facet and the date range from the query string; raise BadRequest."""
    values = {name: (request.args.get(name) or None) for name in FACETS}
    if values["kind"] and values["kind"] not in KINDS:
        raise BadRequest(f"kind must be {' or '.join(KINDS)}")
    return Filters(**values, date_from=api_date("since"), date_to=api_date("until"))
