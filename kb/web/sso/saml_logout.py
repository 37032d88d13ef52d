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


def _end_this_session() -> None:
    from flask_login import current_user, logout_user

    from kb import accounts
    from kb.web.routes import facade

    if current_user.is_authenticated:
        accounts.end_sessions(facade(), current_user.person_id)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _answer_logout_request(client):
    """End this browser's kb session when the IdP asks (for its own NameID); answer it."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.ident import decode
    from saml2.samlp import logout_response_from_string
    from saml2.xmldsig import SIG_RSA_SHA256

    args = request.args
    try:
        asked = client.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
    except Exception:  # pysaml2 raises many kinds; an unreadable request ends nothing
        asked = None
    if asked is None:
        return redirect(url_for("auth.login"))
    message = asked.message
    saved = session.get(SESSION_KEY) or {}
    if (
        saved.get("idp") == message.issuer.text
        and saved.get("name_id")
        and decode(saved["name_id"]).text == message.name_id.text
    ):
        _end_this_session()
    response = str(client.create_logout_response(message, [BINDING_HTTP_REDIRECT]))
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        response,
        logout_response_from_string(response).destination,
        args.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return redirect(dict(info["headers"])["Location"])


@bp.get("/saml/sls")
def saml_sls():
    from saml2 import BINDING_HTTP_REDIRECT

    client = _client()
    if client is not None and request.args.get("SAMLRequest"):
        return _answer_logout_request(client)
    answer = request.args.get("SAMLResponse")
    if client is not None and answer:
        try:
            ended = client.parse_logout_request_response(answer, BINDING_HTTP_REDIRECT)
        except Exception:  # pysaml2 raises many kinds; kb's own session has ended anyway
            ended = None
        if ended is not None and ended.status_ok():
            flash(_("Du är utloggad även hos din organisation."), "info")
    return redirect(url_for("auth.login"))
