"""The search page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for

from kb.features.search.payload import search_payload
from kb.features.search.queries import search
from kb.search.query.hybrid import METHODS
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
    if not request.args:
        # Without a question "/" is the colleague's home page (kb/features/home), search box on top.
        return current_app.view_functions["pages.home"]()
    limit = request.args.get("limit", type=int)
    answer = search(
        facade(),
        viewer(),
        text_arg("q"),
        page_filters(),
        offset=page_int("offset", 0, 0, 10_000),
        limit=limit if limit in PAGE_SIZES else PAGE_SIZES[0],
        sort=page_sort(),
        count=True,
    )
    return render_template("search.html", page=search_payload(answer))


@pages.get("/hit/<token>/<path:source>", endpoint="hit")
def hit(token: str, source: str):
    """Note that a hit was opened, then open it (the document page decides who may)."""
    facade().upkeep.record_click(token[:32])
    # The query rides along, so the document page can lead back to the results.
    query = request.args.get("q", "")[:500] or None
    return redirect(url_for("pages.document", source=source, q=query))


@api.post("/search/<token>/click", endpoint="search_click")
@token_required
def api_click(token: str):
    return jsonify(recorded=facade().upkeep.record_click(token[:32]))


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
        count=True,
    )
    return jsonify(search_payload(answer))
