"""Log in through an OpenID Connect provider: PKCE, state, nonce; the ID token checked."""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, request, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from kb.sso.identity import SignInRefused, sign_in
from kb.sso.oidc import claims_from_token
from kb.sso.settings import SsoSettings
from kb.web.routes import facade
from kb.web.sso.errors import bp, refusal

# Seconds of clock difference an ID token's exp/iat may have.
LEEWAY = 30


def register(app: Flask, found: SsoSettings) -> None:
    """Register each configured OIDC provider with Authlib (discovery fetched on first use)."""
    oauth = OAuth(app)
    for provider in found.oidc:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret(),
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scope, "code_challenge_method": "S256"},
        )
    app.extensions["kb_oidc"] = oauth


def _client(name: str):
    if current_app.extensions["kb_sso"].provider(name) is None:
        return None
    return current_app.extensions["kb_oidc"].create_client(name)


@bp.get("/oidc/<name>/login")
def oidc_login(name: str):
    client = _client(name)
    if client is None:
        return refusal("oidc", name, "unknown_provider")
    session["sso_next"] = request.args.get("next", "")
    try:
        # Authlib adds state, a nonce (the scope has openid) and a PKCE S256 challenge.
        return client.authorize_redirect(url_for("sso.oidc_callback", name=name, _external=True))
    except (RequestException, AuthlibBaseError, ValueError) as exc:
        return refusal("oidc", name, "provider_error", repr(exc))


@bp.get("/oidc/<name>/callback")
def oidc_callback(name: str):
    from kb.web.auth import safe_next, start_session

    client = _client(name)
    if client is None:
        return refusal("oidc", name, "unknown_provider")
    provider = current_app.extensions["kb_sso"].provider(name)
    try:
        token = client.authorize_access_token(leeway=LEEWAY)
    except (AuthlibBaseError, JoseError) as exc:
        reason = "state" if getattr(exc, "error", "") == "mismatching_state" else "invalid"
        return refusal("oidc", name, reason, f"{type(exc).__name__}: {exc}")
    except RequestException as exc:
        return refusal("oidc", name, "provider_error", repr(exc))
    userinfo = token.get("userinfo")
    if not userinfo:
        return refusal("oidc", name, "invalid", "no ID token")
    try:
        claims = claims_from_token(provider, dict(userinfo))
        account = sign_in(facade(), claims, current_app.extensions["kb_sso"].just_in_time)
    except SignInRefused as exc:
        return refusal("oidc", name, exc.reason, exc.detail)
    target = session.get("sso_next")
    start_session(account)
    session["sso_via"] = f"oidc:{name}"
    session["sso_logout"] = {"how": "oidc", "provider": name}
    return redirect(safe_next(target))


def logout_location(saved: dict) -> str | None:
    """Return the provider's end-session address (RP-initiated log-out), or None without one."""
    client = _client(saved.get("provider", ""))
    if client is None:
        return None
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except (RequestException, ValueError):
        return None
    if not endpoint:
        return None
    back = url_for("auth.login", _external=True)
    query = urlencode({"client_id": client.client_id, "post_logout_redirect_uri": back})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
