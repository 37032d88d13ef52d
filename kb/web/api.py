"""The JSON API of kb-contract.md: thin views over the shared facade."""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request

from kb.payloads import (
    experts_payload,
    matching_payload,
    mentors_payload,
    search_payload,
    topics_payload,
)
from kb.search.catalog import Filters
from kb.search.hybrid import METHODS, SearchRequest
from kb.service import UnknownPerson

bp = Blueprint("api", __name__, url_prefix="/api")


class BadRequest(ValueError):
    """A query parameter a caller got wrong; the message says how."""


def kb():
    return current_app.extensions["kb"]


def token_required(view):
    """Answer 401 unless the request carries a valid Bearer token; set g.viewer."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        viewer = kb().viewer_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if viewer is None:
            response = jsonify(
                error="unauthorized",
                message="send Authorization: Bearer TOKEN (kb token create ID)",
            )
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
            return response
        g.viewer = viewer
        return view(*args, **kwargs)

    return wrapper


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest):
    return jsonify(error="bad request", message=str(exc)), 400


def int_arg(name: str, default: int, lo: int = 1, hi: int = 100) -> int:
    """Read an integer query parameter within bounds."""
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


def date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD, not {raw!r}") from exc


def filters_from_args() -> Filters:
    """Read the search filters from the query string."""
    names = ("kind", "subject", "grade", "unit", "group", "step", "author", "language")
    values = {n: (request.args.get(n) or None) for n in names}
    if values["kind"] and values["kind"] not in ("material", "reflection"):
        raise BadRequest("kind must be material or reflection")
    return Filters(**values, date_from=date_arg("since"), date_to=date_arg("until"))


@bp.get("/health")
def health():
    kb().catalog()
    return jsonify(status="ok")


@bp.get("/search")
@token_required
def search():
    text = (request.args.get("q") or "").strip()
    if not text:
        raise BadRequest("q is required: what to search for")
    if len(text) > 500:
        raise BadRequest("q is too long (at most 500 characters)")
    method = request.args.get("method") or kb().settings.fusion_method
    if method not in METHODS:
        raise BadRequest(f"method must be one of {', '.join(METHODS)}")
    result = kb().search(
        SearchRequest(
            text=text,
            viewer=g.viewer,
            filters=filters_from_args(),
            limit=int_arg("limit", 10),
            offset=int_arg("offset", 0, lo=0, hi=10_000),
            method=method,
        )
    )
    return jsonify(search_payload(result))


@bp.get("/experts")
@token_required
def experts():
    text = (request.args.get("q") or "").strip()
    if not text:
        raise BadRequest("q is required: the topic to find experts on")
    return jsonify(experts_payload(kb().experts(text, g.viewer, int_arg("limit", 10))))


@bp.get("/mentors")
@token_required
def mentors():
    newcomer = (request.args.get("newcomer") or "").strip()
    if not newcomer:
        raise BadRequest("newcomer is required: the id of the new colleague")
    try:
        found = kb().mentors(newcomer, g.viewer, int_arg("limit", 5))
    except UnknownPerson:
        return jsonify(error="not found", message=f"no person with id {newcomer!r}"), 404
    return jsonify(mentors_payload(found))


@bp.get("/mentors/matching")
@token_required
def mentor_matching():
    return jsonify(matching_payload(kb().match_mentors(g.viewer)))


@bp.get("/risk")
@token_required
def risk():
    leaving = (request.args.get("leaves") or "").strip()
    topics = kb().what_if_leaves(leaving, g.viewer) if leaving else kb().risk(g.viewer)
    return jsonify(topics_payload(topics))
