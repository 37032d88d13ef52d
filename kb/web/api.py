"""The JSON API of kb-contract.md: thin views over the shared facade."""

from __future__ import annotations

from flask import jsonify, request

from kb.payloads import search_payload
from kb.search.catalog import Filters
from kb.search.hybrid import METHODS, SearchRequest
from kb.web.args import api_date as date_arg
from kb.web.args import api_int as int_arg
from kb.web.routes import BadRequest, token_required, viewer
from kb.web.routes import api as bp
from kb.web.routes import facade as kb


def filters_from_args() -> Filters:
    """Read the search filters from the query string."""
    names = ("kind", "subject", "grade", "unit", "group", "step", "author", "language")
    values = {n: (request.args.get(n) or None) for n in names}
    if values["kind"] and values["kind"] not in ("material", "reflection"):
        raise BadRequest("kind must be material or reflection")
    return Filters(**values, date_from=date_arg("since"), date_to=date_arg("until"))


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
            viewer=viewer(),
            filters=filters_from_args(),
            limit=int_arg("limit", 10),
            offset=int_arg("offset", 0, lo=0, hi=10_000),
            method=method,
        )
    )
    return jsonify(search_payload(result))
