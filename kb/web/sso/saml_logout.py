"""SAML single log-out: after kb's own log-out, end the session at the IdP when it offers it."""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _

from kb.web.sso.errors import bp
from kb.web.sso.saml_sp import client as _client

SESSION_KEY = "sso_logout"


def remember(response) -> None:
    """Keep what a LogoutRequest needs (IdP, NameID, session index) in the kb session."""
    from saml2.ident import code

    info = response.session_info()
    session[SESSION_KEY] = {
        "how": "saml",
        "idp": response.issuer(),
        "name_id": code(response.name_id),
        "session_index": info.get("session_index") or "",
    }


def logout_location(saved: dict | None) -> str | None:
    """Return where to send the browser to log out at the IdP, or None when it has no SLO."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.ident import decode
    from saml2.xmldsig import SIG_RSA_SHA256

    if not saved:
        return None
    client = _client()
    if client is None:
        return None
    services = client.metadata.single_logout_service(saved["idp"], BINDING_HTTP_REDIRECT, "idpsso")
    if not services:
        return None
    destination = services[0]["location"]
    _id, logout = client.create_logout_request(
        destination,
        saved["idp"],
        name_id=decode(saved["name_id"]),
        session_indexes=[saved["session_index"]] if saved["session_index"] else None,
        sign=False,
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(logout), destination, sign=True, sigalg=SIG_RSA_SHA256
    )
    return dict(info["headers"])["Location"]


@bp.get("/saml/sls")
def saml_sls():
    from saml2 import BINDING_HTTP_REDIRECT

    client = _client()
    answer = request.args.get("SAMLResponse")
    if client is not None and answer:
        try:
            ended = client.parse_logout_request_response(answer, BINDING_HTTP_REDIRECT)
        except Exception:  # pysaml2 raises many kinds; kb's own session has ended anyway
            ended = None
        if ended is not None and ended.status_ok():
            flash(_("Du är utloggad även hos din organisation."), "info")
    return redirect(url_for("auth.login"))
