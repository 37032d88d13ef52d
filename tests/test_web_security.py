"""CSRF on every form, a strict CSP, no inline code, safe downloads, the API left token-only."""

from __future__ import annotations

import re

import pytest

from kb import accounts
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import PASSWORD, log_in, make_app, open_kb

PAGES = [
    "/login",
    "/",
    "/?q=exit+tickets",
    "/?q=zyxwvut",
    "/learned?q=läsutmaning",
    "/doc/reflections/2025-03-12-lasframjande-natverket.md",
    "/doc/material/schack/schack-i-matematiken.pdf",
    "/people",
    "/people/karin.sjoberg",
    "/people/karin.sjoberg/edit",
    "/experts?q=schack",
    "/newcomers?newcomer=noah.berg",
    "/newcomers/matching",
    "/risk?leaving=amira.haddad",
    "/share",
    "/reflect",
    "/account/password",
    "/doc/nothing-here.md",
]


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory):
    base = open_kb(tmp_path_factory.mktemp("security"), SAMPLE_BUNDLE)
    accounts.set_coordinator(base, "karin.sjoberg")
    yield base
    base.close()


@pytest.fixture(scope="module")
def app(shared_kb):
    return make_app(shared_kb)


@pytest.fixture
def client(app, shared_kb):
    client = app.test_client()
    log_in(client, shared_kb, "karin.sjoberg", set_password=False)
    return client


FORMS = [
    ("/login", {"handle": "karin.sjoberg", "password": PASSWORD}),
    ("/logout", {}),
    ("/language", {"lang-lang": "en", "lang-next": "/"}),
    ("/share", {"title": "x"}),
    ("/reflect", {"title": "x"}),
    ("/people/karin.sjoberg/edit", {"role": "Hackad"}),
    (
        "/account/password",
        {"current": PASSWORD, "password": "nytt-lösenord-12", "repeat": "nytt-lösenord-12"},
    ),
]


@pytest.mark.parametrize(("path", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_rejects_a_post_without_csrf_token(client, shared_kb, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert client.get("/people/karin.sjoberg").status_code == 200  # still logged in
    assert "Hackad" not in client.get("/people/karin.sjoberg").get_data(as_text=True)


def test_the_invitation_form_rejects_a_post_without_csrf_token(shared_kb, app):
    token = accounts.make_invitation(shared_kb, "amira.haddad", app.config["SECRET_KEY"])
    response = app.test_client().post(
        f"/welcome/{token}",
        data={"password": "amiras-nya-lösenord", "repeat": "amiras-nya-lösenord"},
    )
    assert response.status_code == 400
    assert accounts.check_login(shared_kb, "amira.haddad", "amiras-nya-lösenord") is None


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_strict_content_security_policy(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_carries_inline_scripts_or_styles(client, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_pages_are_never_kept_in_a_shared_cache(client):
    assert client.get("/?q=schack").headers["Cache-Control"] == "no-store"


def test_a_download_is_an_attachment_that_cannot_run_as_part_of_the_site(client):
    response = client.get("/download/material/schack/schack-i-matematiken.pdf")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Type"] == "application/pdf"


def test_the_api_still_answers_a_bearer_token_without_a_session_or_csrf_token(shared_kb, app):
    token = shared_kb.people.create_token("karin.sjoberg")
    response = app.test_client().get(
        "/api/search?q=schack", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.get_json()["hits"]


def test_a_logged_in_session_does_not_open_the_api(client):
    assert client.get("/api/search?q=schack").status_code == 401


def test_a_missing_api_route_answers_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}
