"""The search page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import jsonify, render_template, request

from kb.features.search.payload import search_payload
from kb.features.search.queries import search
from kb.search.hybrid import METHODS
from kb.web.args import (
    api_filters,
    api_int,
    api_sort,
    page_filters,
    page_int,
    page_sort,
    required_text,
    text_arg,
)
from kb.web.routes import BadRequest, api, facade, pages, token_required, viewer

PAGE_SIZES = (10, 20, 50)


@pages.get("/", endpoint="search")
def page():
    limit = request.args.get("limit", type=int)
    answer = search(
        facade(),
        viewer(),
        text_arg("q"),
        page_filters(),
        offset=page_int("offset", 0, 0, 10_000),
        limit=limit if limit in PAGE_SIZES else PAGE_SIZES[0],
        sort=page_sort(),
    )
    return render_template("search.html", page=search_payload(answer))


@api.get("/search", endpoint="search")
@token_required
def api_body():
    kb = facade()
    text = required_text("q", "what to search for", limit=500)
    method = request.args.get("method") or kb.settings.fusion_method
    if method not in METHODS:
        raise BadRequest(f"method must be one of {', '.join(METHODS)}")
    answer = search(
        kb,
        viewer(),
        text,
        api_filters(),
        offset=api_int("offset", 0, lo=0, hi=10_000),
        limit=api_int("limit", 10),
        method=method,
        sort=api_sort(),
    )
    return jsonify(search_payload(answer))
