"""Logging in and out, sessions that end, invitations, passwords and the log-in rate limit."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from kb import accounts
from kb.models import Person
from tests.helpers import PASSWORD, csrf_token, log_in, make_app, post_form

PAGES = [
    "/",
    "/?q=schack",
    "/learned",
    "/doc/material/schack/schack-i-matematiken.pdf",
    "/download/material/schack/schack-i-matematiken.pdf",
    "/people",
    "/people/karin.sjoberg",
    "/people/karin.sjoberg/edit",
    "/experts?q=schack",
    "/newcomers",
    "/newcomers/matching",
    "/risk",
    "/share",
    "/reflect",
    "/account/password",
]


@pytest.fixture
def app(kb):
    return make_app(kb)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_log_in_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_colleague_logs_in_with_their_id_and_password(kb, client):
    response = log_in(client, kb, "karin.sjoberg")
    assert response.status_code == 302
    assert "Karin Sjöberg" in client.get("/").get_data(as_text=True)


def test_a_colleague_logs_in_with_their_email_in_any_case(kb, client):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    response = log_in(client, kb, "Karin.Sjoberg@Example.se", set_password=False)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_log_in_goes_on_to_the_page_that_was_asked_for(kb, client):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    page = client.get("/login?next=/risk").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "handle": "karin.sjoberg",
            "password": PASSWORD,
            "next": "/risk",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.headers["Location"] == "/risk"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:x", "/\\evil.example"]
)
def test_log_in_never_redirects_to_another_site(kb, client, target):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "handle": "karin.sjoberg",
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_token(page),
        },
    )
    assert response.headers["Location"] == "/"


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(kb, client):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    wrong = log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    unknown = log_in(client, kb, "nobody.here", PASSWORD, set_password=False)
    assert wrong.status_code == unknown.status_code == 200
    assert "Inloggningen misslyckades" in wrong.get_data(as_text=True)
    assert "Inloggningen misslyckades" in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_colleague_without_a_password_cannot_log_in(kb, client):
    assert accounts.check_login(kb, "amira.haddad", "") is None
    assert (
        log_in(client, kb, "amira.haddad", "vad-som-helst-1", set_password=False).status_code == 200
    )
    assert client.get("/").status_code == 302


def test_passwords_are_stored_only_as_scrypt_hashes(kb):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    with kb.db.read() as session:
        stored = session.scalar(select(Person.password_hash).where(Person.id == "karin.sjoberg"))
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_a_short_password_is_refused(kb):
    with pytest.raises(accounts.WeakPassword):
        accounts.set_password(kb, "karin.sjoberg", "kort")


def test_logging_out_ends_the_session_even_for_a_copied_cookie(kb, app, client):
    log_in(client, kb, "karin.sjoberg")
    cookie = client.get_cookie("kb_session").value
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"logout-csrf_token": csrf_token(page)})
    assert client.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("kb_session", cookie)
    assert thief.get("/").status_code == 302


def test_changing_the_password_ends_every_other_session(kb, app, client):
    other = app.test_client()
    log_in(other, kb, "karin.sjoberg")
    log_in(client, kb, "karin.sjoberg", set_password=False)
    response = post_form(
        client,
        "/account/password",
        {
            "current": PASSWORD,
            "password": "ett-helt-nytt-lösenord",
            "repeat": "ett-helt-nytt-lösenord",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert accounts.check_login(kb, "karin.sjoberg", "ett-helt-nytt-lösenord") is not None


def test_changing_the_password_needs_the_current_one(kb, client):
    log_in(client, kb, "karin.sjoberg")
    response = post_form(
        client,
        "/account/password",
        {
            "current": "inte-det-gamla-1",
            "password": "ett-helt-nytt-lösenord",
            "repeat": "ett-helt-nytt-lösenord",
        },
    )
    assert "Det nuvarande lösenordet stämmer inte" in response.get_data(as_text=True)
    assert accounts.check_login(kb, "karin.sjoberg", PASSWORD) is not None


def test_an_invitation_link_lets_a_colleague_choose_a_password_and_be_logged_in(kb, client):
    token = accounts.make_invitation(kb, "amira.haddad", "test-secret")
    page = client.get(f"/welcome/{token}")
    assert "Välkommen, Amira Haddad!" in page.get_data(as_text=True)
    response = client.post(
        f"/welcome/{token}",
        data={
            "password": "amiras-nya-lösenord",
            "repeat": "amiras-nya-lösenord",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert "Amira Haddad" in client.get("/").get_data(as_text=True)
    assert accounts.check_login(kb, "amira.haddad", "amiras-nya-lösenord") is not None


def test_an_invitation_link_works_only_once(kb, client):
    token = accounts.make_invitation(kb, "amira.haddad", "test-secret")
    accounts.accept_invitation(kb, token, "test-secret", "amiras-nya-lösenord")
    response = client.get(f"/welcome/{token}")
    assert response.status_code == 404
    assert "redan använd" in response.get_data(as_text=True)


def test_an_expired_invitation_is_refused(kb, client, monkeypatch):
    import itsdangerous.timed

    token = accounts.make_invitation(kb, "amira.haddad", "test-secret")
    later = itsdangerous.timed.time.time() + (accounts.INVITATION_DAYS + 1) * 86400
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.get(f"/welcome/{token}")
    assert response.status_code == 404
    assert "har gått ut" in response.get_data(as_text=True)


def test_a_forged_invitation_is_refused(kb, client):
    token = accounts.make_invitation(kb, "amira.haddad", "another-instances-secret")
    assert client.get(f"/welcome/{token}").status_code == 404
    assert client.get("/welcome/not-a-token").status_code == 404


def slow_app(kb, **config):
    """An app whose log-in slows down after two failures, by a second."""
    settings = {"LOGIN_ACCOUNT_FAILURES": 2, "LOGIN_SLOW_DELAY": 1.0, **config}
    return make_app(kb, RATELIMIT_ENABLED=True, **settings)


def timed_log_in(client, kb, person, password):
    started = time.monotonic()
    response = log_in(client, kb, person, password, set_password=False)
    return response.status_code, time.monotonic() - started


def test_guessing_one_account_slows_every_further_attempt_on_it(kb):
    client = slow_app(kb).test_client()
    throttle = client.application.extensions["kb_login_throttle"]
    for _ in range(2):
        assert not throttle.slowed("karin.sjoberg", "127.0.0.1")
        log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    code, seconds = timed_log_in(client, kb, "karin.sjoberg", "fel-lösenord-999")
    assert code == 200 and seconds >= 1.0


def test_an_account_counts_its_id_and_its_e_mail_as_one(kb):
    client = slow_app(kb).test_client()
    with kb.db.read() as session:
        email = session.get(Person, "karin.sjoberg").email
    log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    log_in(client, kb, email, "fel-lösenord-999", set_password=False)
    assert timed_log_in(client, kb, "KARIN.SJOBERG", "fel-lösenord-999")[1] >= 1.0


def test_others_guessing_cannot_lock_a_colleague_out_of_her_account(kb):
    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    attacker = slow_app(kb).test_client()
    for _ in range(5):
        log_in(attacker, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    # The same app (one throttle) and address: the right password still logs in.
    karin = attacker.application.test_client()
    response = log_in(karin, kb, "karin.sjoberg", PASSWORD, set_password=False)
    assert response.status_code == 302


def test_colleagues_sharing_one_address_do_not_lock_each_other_out(kb):
    client = slow_app(kb).test_client()
    for _ in range(3):
        log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    throttle = client.application.extensions["kb_login_throttle"]
    assert throttle.slowed("karin.sjoberg", "127.0.0.1")
    assert not throttle.slowed("johan.lindqvist", "127.0.0.1")


def test_a_second_attempt_meanwhile_on_a_slowed_account_is_told_to_try_again(kb):
    client = slow_app(kb).test_client()
    throttle = client.application.extensions["kb_login_throttle"]
    for _ in range(2):
        throttle.failed("karin.sjoberg", "10.0.0.9")
    with throttle.attempt("karin.sjoberg", "10.0.0.9") as first:
        response = log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False)
    assert first and response.status_code == 429
    assert "Försök igen om en stund" in response.get_data(as_text=True)


def test_hsts_when_the_proxy_says_the_request_came_over_https(kb):
    app = make_app(kb)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers


def test_the_session_cookie_is_secure_over_https_and_not_over_plain_http(kb):
    client = make_app(kb).test_client()
    page = client.get("/login", base_url="https://kb.skolan.se").get_data(as_text=True)
    response = client.post(
        "/login",
        base_url="https://kb.skolan.se",
        data={"handle": "karin.sjoberg", "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    assert response.headers.getlist("Set-Cookie")


def test_kb_toml_can_switch_hsts_on_for_plain_http_behind_tls(kb):
    client = make_app(kb, KB_HSTS=True).test_client()
    assert "Strict-Transport-Security" in client.get("/login").headers


def test_many_accounts_tried_from_one_address_are_limited_too(kb):
    client = make_app(kb, RATELIMIT_ENABLED=True, LOGIN_ADDRESS_LIMIT="3/minute").test_client()
    codes = [
        log_in(client, kb, person, "fel-lösenord-999", set_password=False).status_code
        for person in ("karin.sjoberg", "johan.lindqvist", "elin.forsberg", "noah.berg")
    ]
    assert codes == [200, 200, 200, 429]


def test_the_rate_limit_can_be_switched_off_for_tests(kb):
    client = make_app(kb, RATELIMIT_ENABLED=False, LOGIN_RATE_LIMIT="1/minute").test_client()
    codes = {
        log_in(client, kb, "karin.sjoberg", "fel-lösenord-999", set_password=False).status_code
        for _ in range(3)
    }
    assert codes == {200}
