"""The SAML service provider of this app: pysaml2's client over the current checked metadata."""

from __future__ import annotations

from flask import current_app, request

from kb.sso import metadata
from kb.sso.saml import sp_config
from kb.sso.settings import SsoSettings


def settings() -> SsoSettings:
    """Return this app's single sign-on settings."""
    return current_app.extensions["kb_sso"]


def client():
    """Return the service provider over the current checked metadata (None: SAML is off)."""
    from saml2.client import Saml2Client

    saml = settings().saml
    if saml is None:
        return None
    xml = metadata.load(saml, current_app.instance_path)
    key = (request.url_root, hash(xml))
    cache = current_app.extensions["kb_saml_clients"]
    if key not in cache:
        cache.clear()
        made = Saml2Client(sp_config(saml, current_app.instance_path, request.url_root, xml))
        made.kb_metadata = xml
        cache[key] = made
    return cache[key]
