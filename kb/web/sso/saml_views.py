"""Log in through a SAML 2.0 federation (Skolfederation): discovery, request, consumer, metadata."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from defusedxml import ElementTree as SafeXml
from flask import (
    Flask,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kb.sso import metadata
from kb.sso.identity import SignInRefused, sign_in
from kb.sso.saml import claims_from_ava, use_assertion
from kb.sso.settings import SsoSettings
from kb.web.routes import facade
from kb.web.sso import saml_logout
from kb.web.sso.errors import bp, refusal
from kb.web.sso.saml_sp import client as _client
from kb.web.sso.saml_sp import settings as _settings

IDP_COOKIE = "kb_idp"
BIND_COOKIE = "kb_saml_bind"
RELAY_SALT = "kb-saml-relay"
# Minutes a log-in at the organisation may take before kb forgets it asked.
RELAY_MINUTES = 15


def register(app: Flask, found: SsoSettings) -> None:
    """Let the IdP post its response: the assertion consumer has no CSRF token to send."""
    from kb.web.security import csrf

    app.extensions["kb_saml_clients"] = {}
    csrf.exempt(f"{__name__}.saml_acs")


def _relay() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RELAY_SALT)


@bp.get("/saml/metadata")
def saml_metadata():
    from saml2.metadata import entity_descriptor

    client = _client()
    if client is None:
        return refusal("saml", "-", "unknown_provider")
    xml = str(entity_descriptor(client.config))
    return Response(xml, mimetype="application/samlmetadata+xml")


@bp.get("/saml/discovery")
def saml_discovery():
    saml = _settings().saml
    if saml is None:
        return refusal("saml", "-", "unknown_provider")
    try:
        idps = metadata.identity_providers(metadata.load(saml, current_app.instance_path))
    except metadata.MetadataError as exc:
        return refusal("saml", "-", "provider_error", str(exc))
    return render_template(
        "sso_discovery.html",
        idps=idps,
        last=request.cookies.get(IDP_COOKIE, ""),
        next=request.args.get("next", ""),
    )


@bp.get("/saml/login")
def saml_login():
    from saml2 import BINDING_HTTP_REDIRECT

    entity_id = request.args.get("idp", "")
    try:
        client = _client()
    except metadata.MetadataError as exc:
        return refusal("saml", entity_id, "provider_error", str(exc))
    if client is None:
        return refusal("saml", entity_id, "unknown_provider")
    known = {p.entity_id for p in metadata.identity_providers(client.kb_metadata)}
    if entity_id not in known:
        return refusal("saml", entity_id, "not_connected")
    # The request's id travels signed in RelayState: the IdP's answer comes back as a
    # cross-site POST, which carries no session cookie (SameSite=Lax).
    request_id = "id-" + secrets.token_hex(16)
    relay = {"id": request_id, "idp": entity_id, "next": request.args.get("next")}
    binding = secrets.token_urlsafe(16) if request.is_secure else ""
    if binding:
        relay["b"] = hashlib.sha256(binding.encode()).hexdigest()
    state = _relay().dumps(relay)
    _id, info = client.prepare_for_authenticate(
        entityid=entity_id, binding=BINDING_HTTP_REDIRECT, relay_state=state, message_id=request_id
    )
    location = dict(info["headers"])["Location"]
    answer = make_response(redirect(location))
    answer.set_cookie(
        IDP_COOKIE,
        entity_id,
        max_age=365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    if binding:
        # Ties the answer to this browser (no forced log-in into someone else's account). It
        # must come back with the IdP's cross-site POST: SameSite=None, which needs HTTPS.
        answer.set_cookie(
            BIND_COOKIE,
            binding,
            max_age=RELAY_MINUTES * 60,
            httponly=True,
            samesite="None",
            secure=True,
            path=url_for("sso.saml_acs"),
        )
    return answer


def _same_browser(relay: dict) -> bool:
    if "b" not in relay:
        return True
    cookie = request.cookies.get(BIND_COOKIE, "")
    return hmac.compare_digest(relay["b"], hashlib.sha256(cookie.encode()).hexdigest())


def _refuse_sha1(posted: str) -> None:
    try:
        root = SafeXml.fromstring(base64.b64decode(posted, validate=False))
    except Exception:  # unreadable: pysaml2 refuses it next, with its own reason
        return
    weak = metadata.weak_algorithms(root)
    if weak:
        raise SignInRefused("invalid", f"signed with SHA-1: {', '.join(weak)}")


def _check(client, relay: dict, posted: str):
    from saml2 import BINDING_HTTP_POST

    _refuse_sha1(posted)
    try:
        response = client.parse_authn_request_response(
            posted, BINDING_HTTP_POST, outstanding={relay["id"]: relay.get("next") or "/"}
        )
    except Exception as exc:  # pysaml2 raises many kinds; every one means "not trusted"
        raise SignInRefused("invalid", f"{type(exc).__name__}: {exc}") from None
    if response is None or response.assertion is None:
        raise SignInRefused("invalid", "no assertion")
    issuer = response.issuer()
    if issuer != relay["idp"]:
        raise SignInRefused("not_connected", f"{issuer} answered for {relay['idp']}")
    return response


def _until(response) -> datetime:
    conditions = response.assertion.conditions
    text = conditions.not_on_or_after if conditions is not None else None
    if text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC) + timedelta(hours=1)


@bp.post("/saml/acs")
def saml_acs():
    from kb.web.auth import safe_next, start_session

    try:
        relay = _relay().loads(request.form.get("RelayState", ""), max_age=RELAY_MINUTES * 60)
    except BadSignature as exc:
        return refusal("saml", "-", "state", str(exc))
    if not _same_browser(relay):
        return refusal("saml", relay.get("idp", "-"), "state", "another browser started it")
    try:
        client = _client()
        if client is None:
            raise SignInRefused("unknown_provider")
        response = _check(client, relay, request.form.get("SAMLResponse", ""))
        use_assertion(facade(), response.assertion.id, _until(response).replace(tzinfo=None))
        claims = claims_from_ava(_settings(), response.issuer(), response.ava)
        account = sign_in(facade(), claims, _settings().just_in_time)
    except SignInRefused as exc:
        return refusal("saml", relay.get("idp", "-"), exc.reason, exc.detail)
    except metadata.MetadataError as exc:
        return refusal("saml", relay.get("idp", "-"), "provider_error", str(exc))
    start_session(account)
    saml_logout.remember(response)
    session["sso_via"] = f"saml:{relay['idp']}"
    return redirect(safe_next(relay.get("next")))
