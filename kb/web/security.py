"""Security of every response: CSRF, rate limits and headers (error pages: kb/web/errors.py)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from contextlib import contextmanager

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, storage_uri="memory://")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# A downloaded file (an uploaded HTML page, say) must never run as part of the site.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


# Log-in limits (docs/trust.md says why these numbers). A school is one address: its
# colleagues' right passwords never count, and its typos are far below these.
LOGIN_ADDRESS_LIMIT = "300/minute"  # failed log-in posts from one address, then 429
LOGIN_ADDRESS_FAILURES = 100  # failures from one address in 10 minutes, then each waits
LOGIN_ACCOUNT_FAILURES = 10  # failures of one account in 10 minutes, then each waits ...
LOGIN_MAX_DELAY = 10.0  # ... longer the more there are (delay x failures / 10), this at most


class LoginThrottle:
    """Slow down password guessing per resolved account and per address, never lock anyone out.

    Failed log-ins are counted per account (whatever handle was typed: id or e-mail) and per
    address. Past `per_account` failures of an account (from anywhere) or `per_address`
    failures from one address within `window` seconds, every further attempt on that account
    or from that address first waits `delay` seconds for every `per_account` failures of
    the account (at most `max_delay`), one at a time per account (a second one meanwhile is
    told to try again at once, so guessing cannot hold the server's threads): a guesser gets
    a few tries a minute per account. A right password still logs in: others can slow an
    account down, not lock it.
    """

    def __init__(
        self,
        per_account: int = LOGIN_ACCOUNT_FAILURES,
        per_address: int = LOGIN_ADDRESS_FAILURES,
        window: float = 600.0,
        delay: float = 1.0,
        clock=time.monotonic,
        max_delay: float = LOGIN_MAX_DELAY,
    ) -> None:
        self.per_account, self.per_address = per_account, per_address
        self.window, self.delay, self.clock = window, delay, clock
        self.max_delay = max_delay
        self._failures: dict[str, deque] = defaultdict(deque)
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def _count(self, key: str) -> int:
        stamps = self._failures.get(key)
        if not stamps:
            return 0
        horizon = self.clock() - self.window
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        return len(stamps)

    def slowed(self, account: str | None, address: str) -> bool:
        """Tell whether attempts on this account or from this address must wait first."""
        with self._lock:
            return (
                account is not None and self._count(f"a:{account}") >= self.per_account
            ) or self._count(f"i:{address}") >= self.per_address

    @contextmanager
    def attempt(self, account: str | None, address: str):
        """Wait when slowed; yield False when another slowed attempt on the account is running."""
        if not self.slowed(account, address):
            yield True
            return
        key = f"a:{account or address}"
        with self._lock:
            if key in self._busy:
                free = False
            else:
                self._busy.add(key)
                free = True
        if not free:
            yield False
            return
        try:
            time.sleep(self.wait_for(account))
            yield True
        finally:
            with self._lock:
                self._busy.discard(key)

    def wait_for(self, account: str | None) -> float:
        """Return how long a slowed attempt waits: longer the more the account has failed."""
        with self._lock:
            failures = self._count(f"a:{account}") if account is not None else 0
        steps = max(1, failures // max(self.per_account, 1))
        return min(self.delay * steps, max(self.max_delay, self.delay))

    def failed(self, account: str | None, address: str) -> None:
        """Count a failed log-in against the account (when there is one) and the address."""
        now = self.clock()
        with self._lock:
            if account is not None:
                self._failures[f"a:{account}"].append(now)
            self._failures[f"i:{address}"].append(now)
            if len(self._failures) > 100_000:  # a flood of made-up addresses: start over
                self._failures.clear()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        if app.config.get("KB_COOKIE_SECURE_SET"):
            return bool(app.config["SESSION_COOKIE_SECURE"])
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (bool(request) and is_https())


def is_https() -> bool:
    """Tell whether this request reached kb over HTTPS (with ProxyFix: as the proxy says)."""
    return request.is_secure


def login_address_limit() -> str:
    """Return the configured limit of log-in attempts from one address, whatever the account."""
    from flask import current_app

    return current_app.config.get("LOGIN_ADDRESS_LIMIT", LOGIN_ADDRESS_LIMIT)


def failed_log_in(response) -> bool:
    """Tell whether a log-in post failed: only failures count toward the address's limit, so
    a school behind one address never runs out of log-ins by logging in."""
    return response.status_code != 302


def login_limit() -> str:
    """Return the configured rate limit of log-in attempts."""
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Install CSRF protection, the rate limiter and the headers."""
    from kb.web import i18n

    csrf.init_app(app)
    limiter.init_app(app)
    app.session_interface = SessionInterface()
    app.extensions["kb_login_throttle"] = LoginThrottle(
        per_account=app.config.get("LOGIN_ACCOUNT_FAILURES", LOGIN_ACCOUNT_FAILURES),
        per_address=app.config.get("LOGIN_ADDRESS_FAILURES", LOGIN_ADDRESS_FAILURES),
        delay=app.config.get("LOGIN_SLOW_DELAY", 1.0),
    )
    i18n.init_app(app)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if (
            app.config.get("SESSION_COOKIE_SECURE") is False
            and not app.config.get("KB_COOKIE_SECURE_SET")
            and is_https()
        ):
            # No kb.toml setting: a cookie sent over HTTPS is marked Secure.
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.remove("Set-Cookie")
                for cookie in cookies:
                    secure = "; Secure" in cookie
                    response.headers.add("Set-Cookie", cookie if secure else f"{cookie}; Secure")
        hsts = app.config.get("KB_HSTS")
        if hsts or (hsts is None and is_https()):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and not request.path.startswith("/api/"):
            # Pages show what one colleague may see: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
