"""Single sign-on pages: OIDC log-in, SAML discovery, assertion consumer and SP metadata."""

from __future__ import annotations

from flask import Flask

from kb.sso import settings as sso_settings


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
    # kb.web.auth's log-out asks this where the IdP's single log-out is (None: nowhere).
    app.extensions["kb_sso_logout"] = logout_location


def logout_location(saved: dict | None) -> str | None:
    """Return the address that ends the provider's own session too, or None."""
    from kb.web.sso import oidc_views, saml_logout

    how = (saved or {}).get("how")
    if how == "saml":
        return saml_logout.logout_location(saved)
    if how == "oidc":
        return oidc_views.logout_location(saved)
    return None
