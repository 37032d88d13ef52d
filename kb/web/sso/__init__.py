"""Single sign-on pages: OIDC log-in, SAML discovery, assertion consumer and SP metadata."""

from __future__ import annotations

from flask import Flask

from kb.sso import settings as sso_settings


def init_app(app: Flask, table: dict | None = None) -> None:
    """Read [sso] (or the table given), register the providers and the pages."""
    from kb.web.sso import errors, oidc_views, saml_logout, saml_views

    found = sso_settings.load(app.instance_path, table)
    app.extensions["kb_sso"] = found
    oidc_views.register(app, found)
    app.register_blueprint(errors.bp)

    @app.context_processor
    def sso_links():
        return {"sso": found}

    saml_views.register(app, found)
    # kb.web.auth's log-out asks this where the IdP's single log-out is (None: nowhere).
    app.extensions["kb_sso_logout"] = saml_logout.logout_location
