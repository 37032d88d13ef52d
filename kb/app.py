"""The Flask app: the one assembly point of the features and the web plumbing; state lives in
the instance folder."""

from __future__ import annotations

import os

from flask import Flask

from kb.config import load_settings
from kb.limits import MAX_FORM_BYTES


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; `test_config` may set INSTANCE, SETTINGS (overrides), EMBEDDER and KB."""
    test_config = test_config or {}
    instance = test_config.get("INSTANCE") or os.environ.get("KB_INSTANCE") or "instance"
    # Rooted in the plumbing's folder: the shared templates, static files and translations.
    app = Flask("kb.web", instance_path=os.path.abspath(instance), instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        JSON_AS_ASCII=False,
        # The largest file kb reads plus room for the form around it.
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="kb_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_DEFAULT_TIMEZONE="Europe/Stockholm",
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="10/minute",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update({k: v for k, v in test_config.items() if k.isupper()})
    app.json.ensure_ascii = False

    from kb.service import KnowledgeBase

    settings = load_settings(app.instance_path, **test_config.get("SETTINGS", {}))
    kb = test_config.get("KB") or KnowledgeBase(settings, embedder=test_config.get("EMBEDDER"))
    app.extensions["kb"] = kb
    _transport(app, kb.settings)
    if not app.config.get("SECRET_KEY"):
        from kb.accounts import instance_secret

        app.config["SECRET_KEY"] = instance_secret(kb.settings)
    if test_config.get("BACKGROUND_INDEXING", True):
        # Listen at once: search the indexes on disk, catch up in the background. A knowledge
        # base handed in (tests) may carry objects a child process cannot share: a thread.
        mode = test_config.get("INDEXER") or (
            "thread" if "KB" in test_config or "EMBEDDER" in test_config else kb.settings.indexer
        )
        kb.indexes.start_indexer(process=mode == "process")
        _start_syncs(app, kb)
    else:
        kb.indexes.catalog()

    _register(app, test_config)
    return app


def _register(app: Flask, test_config: dict) -> None:
    """Add the features' views, pages and menu entries, the security layers, the error answers,
    log-in and the blueprints."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    from kb.error_table import KNOWN
    from kb.features import navigation, register_views, template_folders
    from kb.web import auth, errors, fairuse, nav, routes, security, sso

    # Each feature's pages beside it; the shared layout (base, macros, error pages) in kb/web.
    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, *(FileSystemLoader(folder) for folder in template_folders())]
    )
    register_views()
    nav.init_app(app, navigation())
    security.init_app(app)
    errors.init_app(app, KNOWN)
    fairuse.init_app(app)
    auth.init_app(app)
    sso.init_app(app, test_config.get("SSO"))
    app.register_blueprint(routes.api)
    # The API authenticates every call with a Bearer token, never a cookie: no CSRF to guard.
    security.csrf.exempt(routes.api)
    app.register_blueprint(auth.bp)
    app.register_blueprint(routes.pages)


def _start_syncs(app: Flask, kb) -> None:
    """Run the [[sync]] entries of kb.toml that have every_minutes, in child processes
    (the SYNC_SCHEDULE test setting False: none)."""
    if not app.config.get("SYNC_SCHEDULE", True):
        return
    from kb.ingest.connectors.config import read_sync_configs
    from kb.ingest.connectors.schedule import SyncSchedule

    schedule = SyncSchedule(kb.settings.instance_path, read_sync_configs(kb.settings.instance_path))
    app.extensions["kb_syncs"] = schedule.start()


def _transport(app: Flask, settings) -> None:
    """Apply kb.toml's proxy_fix, hsts and session_cookie_secure to the app."""
    if settings.proxy_fix:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy that terminates TLS: trust its X-Forwarded-* headers (one hop).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.config.setdefault("KB_HSTS", settings.hsts)
    if settings.session_cookie_secure is not None:
        app.config["SESSION_COOKIE_SECURE"] = settings.session_cookie_secure
        app.config["REMEMBER_COOKIE_SECURE"] = settings.session_cookie_secure
        app.config["KB_COOKIE_SECURE_SET"] = True
