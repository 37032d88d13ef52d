"""A real OpenID Connect provider for tests (oidc-provider-mock, built on Authlib) in a thread.

`tamper` makes it misbehave the ways an attacker or a broken provider would: it re-signs the ID
token it issued with other claims or another key, or strips its signature. The provider also
enforces PKCE (the mock itself does not): a token request whose code_verifier does not match the
S256 challenge of its authorization request is refused.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import flask
import requests
from authlib.jose import JsonWebKey, jwt


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    """The provider's address, its signing key and the knobs a test turns."""

    def __init__(self, app: flask.Flask) -> None:
        self.app = app
        with app.test_request_context("/"):
            app.preprocess_request()
            self.key = flask.g.oidc_provider_mock_storage.jwk
        self.tamper: dict = {}
        self.challenges: dict[str, str] = {}
        self.token_requests: list[dict] = []
        self.url = ""

    def set_user(self, sub: str, **claims) -> None:
        """Give a user claims (email, hd, roles, groups, ...) for their next log-in."""
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def authorize(self, location: str, sub: str) -> str:
        """Log a user in at the provider's page kb sent us to; return where it sends us back."""
        answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]

    # ------------------------------------------------------------ the middleware
    def _resign(self, id_token: str) -> str:
        claims = jwt.decode(id_token, self.key)
        header = {"alg": "RS256", "kid": self.key.as_dict().get("kid")}
        mode = self.tamper.get("mode")
        claims.update(self.tamper.get("claims", {}))
        if mode == "unsigned":
            head = _b64(json.dumps({"alg": "none"}).encode())
            return f"{head}.{_b64(json.dumps(dict(claims)).encode())}."
        key = self.key
        if mode == "other_key":
            key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        return jwt.encode(header, dict(claims), key).decode()

    def __call__(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/oauth2/token" and method == "POST":
            return self._token(environ, start_response)
        if path == "/oauth2/authorize" and method == "POST":
            return self._authorize(environ, start_response)
        return self.app(environ, start_response)

    def _authorize(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["headers"] = headers
            return start_response(status, headers, exc_info)

        # Read the whole answer first: the debugger's wrapper starts the response lazily.
        body = list(self.app(environ, capture))
        location = dict(captured.get("headers", [])).get("Location", "")
        code = parse_qs(urlsplit(location).query).get("code", [""])[0]
        if code:
            self.challenges[code] = query.get("code_challenge", [""])[0]
        return body

    def _token(self, environ, start_response):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        self.token_requests.append(form)
        challenge = self.challenges.get(form.get("code", ""), "")
        verifier = form.get("code_verifier", "")
        if not challenge or _b64(hashlib.sha256(verifier.encode()).digest()) != challenge:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error": "invalid_grant", "error_description": "PKCE failed"}']
        environ["wsgi.input"] = io.BytesIO(raw)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            return lambda data: None

        body = json.loads(b"".join(self.app(environ, capture)))
        if captured["status"].startswith("200") and self.tamper and "id_token" in body:
            body["id_token"] = self._resign(body["id_token"])
        data = json.dumps(body).encode()
        start_response(
            captured["status"],
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]


@contextmanager
def running_provider():
    """Run the provider on a free localhost port; yield it."""
    import threading

    import werkzeug.serving
    from oidc_provider_mock import app as make_app

    provider = Provider(make_app(require_nonce=True))
    server = werkzeug.serving.make_server("localhost", 0, provider, threaded=True)
    provider.url = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(2)


def expired_claims() -> dict:
    """Return claims that make an ID token an hour past its expiry."""
    now = int(time.time())
    return {"exp": now - 3600, "iat": now - 7200}
