"""Single sign-on pages: OIDC log-in, SAML discovery, assertion consumer and SP metadata."""

from __future__ import annotations

from flask import Flask, current_app

from kb.sso import settings as sso_settings
from kb.sso.settings import SsoSettings


def settings() -> SsoSettings:
    """Return this app's single sign-on settings."""
    return current_app.extensions["kb_sso"]


def init_app(app: Flask, table: dict | None = None) -> None:
    """Read [sso] (or the table given), register the providers and the pages."""
    from kb.web.sso import errors, oidc_views, saml_views

    found = sso_settings.load(app.instance_path, table)
    app.extensions["kb_sso"] = found
    oidc_views.register(app, found)
    app.register_blueprint(errors.bp)

    @app.context_processor
    def sso_links():
        return {"sso": found}

    saml_views.register(app, found)
