"""The two blueprints every feature's views hang on, and the one way a view reaches the facade.

A page view does `facade()` and `viewer()`; an API view is wrapped in `token_required` and
reads `g.viewer`. Nothing else in the web layer looks the facade up.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote, unquote

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from flask_login import current_user

from kb.access import Viewer
from kb.catalog import FACET_LIST
from kb.errors import Invalid
from kb.service import KnowledgeBase

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


class BadRequest(Invalid):
    """A query parameter or body a caller got wrong; the message says how."""


def facade() -> KnowledgeBase:
    """Return the app's knowledge base (built once by create_app)."""
    return current_app.extensions["kb"]


def viewer() -> Viewer:
    """Return who is asking: the logged-in colleague, or the API token's owner."""
    found = g.get("viewer")
    return found if found is not None else current_user.viewer


@pages.before_request
def require_login():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@pages.app_template_global()
def url_with(**changes) -> str:
    """Return the current page's URL with some query parameters changed (None drops one)."""
    args = {k: v for k, v in request.args.items() if v}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@pages.app_template_global()
def index_state(source: str) -> str | None:
    """Tell a page whether search has taken a document in yet (see KnowledgeBase.index_state)."""
    return facade().indexes.index_state(source)


@pages.app_template_global()
def page_facets() -> tuple[str, ...]:
    """Return the facets the search page offers."""
    return tuple(f.name for f in FACET_LIST if f.on_page)


@pages.app_template_filter()
def path_quote(value: str) -> str:
    """Quote a value as one URL path segment ("läs/skriv" -> "l%C3%A4s%2Fskriv")."""
    return quote(str(value), safe="")


@pages.app_template_filter()
def unquote_url(value: str) -> str:
    """Show an address as people read it ("%C3%85k%209" -> "Åk 9")."""
    return unquote(str(value))


def token_required(view):
    """Answer 401 unless the request carries a valid Bearer token; set g.viewer."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        found = (
            facade().people.viewer_for_token(token.strip()) if scheme.lower() == "bearer" else None
        )
        if found is None:
            response = jsonify(
                error="unauthorized",
                message="send Authorization: Bearer TOKEN (kb token create ID)",
            )
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
            return response
        g.viewer = found
        return view(*args, **kwargs)

    return wrapper


def render_found(template: str, payload: dict | None):
    """Render a page from its payload, or answer 404 when there is none (missing or hidden)."""
    if payload is None:
        abort(404)
    return render_template(template, page=payload)


@api.get("/health")
def health():
    # From memory only: no lock, no database, no model, so it answers however busy the
    # indexer is (a search proves the rest).
    kb = facade()
    worker = kb.indexes.worker
    state = "idle" if worker is None or not worker.busy else "busy"
    # "warming" until the query models are loaded and the noise measured (kb serve does it
    # at start, else the first search): a proxy may hold colleagues back until "ready".
    ready = kb.finder.search_ready()
    # How far the semantic legs have come while a long round embeds (None once complete).
    progress = kb.indexes.semantic_progress()
    return jsonify(
        status="ok",
        indexer=state,
        search="ready" if ready else "warming",
        semantic=None if progress is None else {"done": progress[0], "total": progress[1]},
    )
