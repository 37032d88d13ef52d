"""Security of every response: CSRF, rate limits, headers, and error pages that leak nothing."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from kb.accounts import NotCoordinator

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, storage_uri="memory://")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# A downloaded file (an uploaded HTML page, say) must never run as part of the site.
API_ERRORS = {
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "too large",
    429: "too many requests",
}
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def login_key() -> str:
    """Key log-in attempts by address and account.

    A whole school often shares one address: keyed by address alone, ten colleagues logging
    in on a Monday morning would lock out the eleventh. Guessing one account's password is
    what the limit is for; a looser per-address limit (LOGIN_ADDRESS_LIMIT) caps spraying.
    """
    handle = (request.form.get("handle") or "").strip().casefold()
    return f"{get_remote_address()}|{handle}"


def login_address_limit() -> str:
    """Return the configured limit of log-in attempts from one address, whatever the account."""
    from flask import current_app

    return current_app.config.get("LOGIN_ADDRESS_LIMIT", "120/minute")


def login_limit() -> str:
    """Return the configured rate limit of log-in attempts."""
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Install CSRF protection, the rate limiter, the headers and the error pages."""
    from kb.web import i18n

    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static" and not request.path.startswith("/api/"):
            # Pages show what one colleague may see: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def page(code: int, template: str, **context):
        if request.path.startswith("/api/"):
            return jsonify(error=API_ERRORS.get(code, "error")), code
        return render_template(template, code=code, **context), code

    # What went wrong -> (status, page); the API gets the same status with a JSON body.
    errors = {
        CSRFError: (400, "errors/csrf.html"),
        403: (403, "errors/403.html"),
        NotCoordinator: (403, "errors/403.html"),
        404: (404, "errors/404.html"),
        405: (405, "errors/404.html"),
        413: (413, "errors/413.html"),
        429: (429, "errors/429.html"),
    }
    for error, (code, template) in errors.items():
        app.register_error_handler(error, lambda exc, c=code, t=template: page(c, t))
