"""Reading query parameters: the pages forgive nonsense, the API names it."""

from __future__ import annotations

from datetime import date

from flask import request

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
