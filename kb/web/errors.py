"""Every error answer of the web app in one place: kb's refusals (kb/errors.py) and HTTP's own
errors, as JSON under /api and elsewhere as a page that leaks nothing."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import default_exceptions

from kb.errors import KbError, Table, explain

API_ERRORS = {
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "too large",
    429: "too many requests",
}
# What went wrong -> (status, page); the API gets the same status with a JSON body.
PAGES = {
    CSRFError: (400, "errors/csrf.html"),
    403: (403, "errors/403.html"),
    404: (404, "errors/404.html"),
    405: (405, "errors/404.html"),
    413: (413, "errors/413.html"),
    429: (429, "errors/429.html"),
}


def is_api() -> bool:
    """Tell whether this request is an API call (answered in JSON)."""
    return request.path.startswith("/api/")


def init_app(app: Flask, table: Table) -> None:
    """Answer HTTP's errors and every refusal of the family, and of the types `table` maps."""

    def page(code: int, template: str):
        if is_api():
            return jsonify(error=API_ERRORS.get(code, "error")), code
        return render_template(template, code=code), code

    for error, (code, template) in PAGES.items():
        app.register_error_handler(error, lambda exc, c=code, t=template: page(c, t))

    def refusal(exc: Exception):
        found = explain(exc, table)
        if is_api():
            return jsonify(found.body()), found.status
        # A page says no more than its status: the same page as any 403 or 404 (a hidden
        # document answers exactly like a missing one).
        return app.handle_http_exception(default_exceptions[found.status]())

    for kind in (KbError, *table):
        app.register_error_handler(kind, refusal)
