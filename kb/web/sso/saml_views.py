"""Log in through a SAML 2.0 federation (Skolfederation)."""

from __future__ import annotations

from flask import Flask

from kb.sso.settings import SsoSettings


def register(app: Flask, found: SsoSettings) -> None:
    """Prepare the SAML service provider when [sso.saml] is configured."""
