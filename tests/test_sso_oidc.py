"""Log in through a real OpenID Connect provider running locally; what it must refuse."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from kb import accounts
from kb.models import Person, SsoIdentity
from tests.helpers import csrf_token, make_app
from tests.oidc_provider import expired_claims, running_provider


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def sso_config(provider, monkeypatch):
    monkeypatch.setenv("KB_TEST_OIDC_SECRET", "a-secret-from-the-environment")
    provider.tamper = {}
    return {
        "just_in_time": False,
        "oidc": {
            "school": {
                "label": "Skolans Google",
                "discovery_url": f"{provider.url}/.well-known/openid-configuration",
                "client_id": "kb-test",
                "client_secret_env": "KB_TEST_OIDC_SECRET",
                "allowed_domains": ["example.se"],
                "coordinator_roles": ["kb.coordinator"],
                "coordinator_groups": ["g-coordinators"],
            }
        },
    }


@pytest.fixture
def client(kb, sso_config):
    return make_app(kb, SSO=sso_config).test_client()


def log_in(client, provider, sub, **claims):
    """Go from kb to the provider, log in there as sub, come back to kb; return kb's answer."""
    provider.set_user(sub, **claims)
    start = client.get("/sso/oidc/school/login")
    assert start.status_code == 302
    back = urlsplit(provider.authorize(start.headers["Location"], sub))
    return client.get(f"{back.path}?{back.query}")


def johan(**more):
    return {"email": "johan.lindqvist@example.se", "hd": "example.se", "name": "J L", **more}


def identities(kb):
    with kb.db.read() as session:
        return session.query(SsoIdentity).count()


def test_a_colleague_logs_in_with_the_school_account_and_lands_on_the_home_page(
    kb, client, provider
):
    answer = log_in(client, provider, "sub-johan", **johan())
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Hej Johan Lindqvist!" in home
    assert 'data-unit="Ängsskolan"' in home


def test_the_log_in_request_carries_state_nonce_and_a_pkce_challenge(client, provider):
    start = client.get("/sso/oidc/school/login")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    assert query["client_id"] == ["kb-test"]


def test_kb_proves_pkce_and_sends_the_secret_from_the_environment(client, provider):
    provider.token_requests.clear()
    assert log_in(client, provider, "sub-johan", **johan()).status_code == 302
    sent = provider.token_requests[-1]
    assert sent["code_verifier"]
    assert "client_secret" not in sent or sent["client_secret"] == "a-secret-from-the-environment"


@pytest.mark.parametrize(
    "tamper",
    [
        {"mode": "unsigned"},
        {"mode": "other_key"},
        {"claims": {"aud": "another-application"}},
        {"claims": {"iss": "https://evil.example"}},
        {"claims": expired_claims()},
        {"claims": {"nonce": "a-nonce-from-another-log-in"}},
    ],
    ids=["unsigned", "wrongly-signed", "wrong-audience", "wrong-issuer", "expired", "nonce"],
)
def test_an_id_token_that_is_not_right_is_refused_and_creates_no_account(
    kb, client, provider, tamper, caplog
):
    provider.tamper = tamper
    with caplog.at_level(logging.INFO, logger="kb.audit"):
        answer = log_in(client, provider, "sub-johan", **johan())
    assert answer.status_code == 403
    assert "Inloggningen kunde inte kontrolleras" in answer.get_data(as_text=True)
    assert identities(kb) == 0
    assert client.get("/").status_code == 302
    assert "login refused" in caplog.text


def test_a_changed_state_is_refused(kb, client, provider):
    provider.set_user("sub-johan", **johan())
    start = client.get("/sso/oidc/school/login")
    back = urlsplit(provider.authorize(start.headers["Location"], "sub-johan"))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    query["state"] = "a-state-an-attacker-chose"
    answer = client.get(back.path, query_string=query)
    assert answer.status_code == 403
    assert "avbröts" in answer.get_data(as_text=True)
    assert identities(kb) == 0


def test_a_domain_not_allowed_is_refused_even_when_the_account_is_known(kb, client, provider):
    answer = log_in(client, provider, "sub-private", **johan(hd="gmail.com"))
    assert answer.status_code == 403
    assert "inte ansluten till kb" in answer.get_data(as_text=True)
    no_hd = log_in(client, provider, "sub-private2", email="johan.lindqvist@example.se")
    assert no_hd.status_code == 403
    assert identities(kb) == 0


def test_a_stranger_is_refused_unless_just_in_time_accounts_are_allowed(kb, sso_config, provider):
    stranger = {"email": "ny.larare@example.se", "hd": "example.se", "name": "Ny Lärare"}
    client = make_app(kb, SSO=sso_config).test_client()
    assert log_in(client, provider, "sub-new", **stranger).status_code == 403
    assert identities(kb) == 0
    sso_config["just_in_time"] = True
    client = make_app(kb, SSO=sso_config).test_client()
    assert log_in(client, provider, "sub-new", **stranger).status_code == 302
    with kb.db.read() as session:
        assert session.get(Person, "ny.larare").name == "Ny Lärare"


def test_an_app_role_makes_a_coordinator_who_sees_the_risk_page_until_the_idp_drops_it(
    kb, client, provider, sso_config
):
    log_in(client, provider, "sub-johan", **johan(roles=["kb.coordinator"]))
    assert client.get("/risk").status_code == 200
    assert "från din organisation" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={})
    again = make_app(kb, SSO=sso_config).test_client()
    log_in(again, provider, "sub-johan", **johan(roles=[]))
    assert again.get("/risk").status_code == 403
    assert not accounts.account(kb, "johan.lindqvist").is_coordinator


def test_a_coordinator_role_given_in_kb_survives_an_idp_without_it(kb, client, provider):
    log_in(client, provider, "sub-karin", email="karin.sjoberg@example.se", hd="example.se")
    assert client.get("/risk").status_code == 200
    assert accounts.account(kb, "karin.sjoberg").coordinator_source == "kb"
    assert "given i kb" in client.get("/").get_data(as_text=True)


def test_a_group_claim_makes_a_coordinator(kb, client, provider):
    log_in(client, provider, "sub-johan", **johan(groups=["g-teachers", "g-coordinators"]))
    assert accounts.account(kb, "johan.lindqvist").coordinator_source == "idp"


def test_group_overage_keeps_the_role_as_it_was_and_says_so_in_the_audit(
    kb, client, provider, caplog, sso_config
):
    log_in(client, provider, "sub-johan", **johan(groups=["g-coordinators"]))
    overage = johan(_claim_names={"groups": "src1"}, _claim_sources={"src1": {"endpoint": "x"}})
    with caplog.at_level(logging.INFO, logger="kb.audit"):
        log_in(make_app(kb, SSO=sso_config).test_client(), provider, "sub-johan", **overage)
    assert accounts.account(kb, "johan.lindqvist").is_coordinator
    assert "group overage" in caplog.text and "kept idp_coordinator=True" in caplog.text


def test_every_log_in_writes_an_audit_line(client, provider, caplog):
    with caplog.at_level(logging.INFO, logger="kb.audit"):
        log_in(client, provider, "sub-johan", **johan())
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("login "))
    assert "person=johan.lindqvist how=oidc provider=school subject=sub-johan" in line


def test_passwords_turned_off_leave_only_the_break_glass_admin(kb, sso_config):
    from tests.helpers import log_in as password_log_in

    sso_config.update(local_passwords=False, break_glass=["karin.sjoberg"])
    app = make_app(kb, SSO=sso_config)
    assert password_log_in(app.test_client(), kb, "johan.lindqvist").status_code == 403
    assert password_log_in(app.test_client(), kb, "karin.sjoberg").status_code == 302
    token = accounts.make_invitation(kb, "johan.lindqvist", "test-secret")
    assert app.test_client().get(f"/welcome/{token}").status_code == 403


def test_an_english_speaker_reads_the_refusal_in_english(client, provider):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"lang-lang": "en", "lang-csrf_token": token})
    answer = log_in(client, provider, "sub-private", **johan(hd="gmail.com"))
    assert "not connected to kb" in answer.get_data(as_text=True)


def test_a_colleague_who_has_left_is_refused(kb, client, provider):
    from datetime import date

    with kb.db.write() as session:
        session.get(Person, "johan.lindqvist").left = date(2026, 6, 30)
    answer = log_in(client, provider, "sub-johan", **johan())
    assert answer.status_code == 403 and "avslutat" in answer.get_data(as_text=True)
    assert identities(kb) == 0


def test_log_out_offers_the_providers_end_session(kb, client, provider):
    log_in(client, provider, "sub-johan", **johan())
    token = csrf_token(client.get("/").get_data(as_text=True))
    page = client.post("/logout", data={"logout-csrf_token": token}).get_data(as_text=True)
    assert "Du är utloggad från kb" in page
    assert client.get("/").status_code == 302
    link = html.unescape(re.search(r'href="([^"]+)" data-slo="true"', page).group(1))
    assert link.startswith(f"{provider.url}/oauth2/end_session?client_id=kb-test")
    ended = requests.post(
        f"{provider.url}/oauth2/end_session/confirm",
        data={"redirect_uri": parse_qs(urlsplit(link).query)["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    assert ended.headers["Location"] == "http://localhost/login"


def test_a_refused_token_creates_no_colleague_even_when_just_in_time_is_on(
    kb, sso_config, provider
):
    sso_config["just_in_time"] = True
    client = make_app(kb, SSO=sso_config).test_client()
    stranger = {"email": "ny.larare@example.se", "hd": "example.se", "name": "Ny Lärare"}
    for tamper in ({"mode": "other_key"}, {"claims": expired_claims()}):
        provider.tamper = tamper
        assert log_in(client, provider, "sub-new", **stranger).status_code == 403
    provider.tamper = {}
    assert log_in(client, provider, "sub-new", **dict(stranger, hd="gmail.com")).status_code == 403
    with kb.db.read() as session:
        assert session.get(Person, "ny.larare") is None
    assert identities(kb) == 0


def test_a_unit_her_first_sign_in_brings_opens_her_unit_documents_to_that_unit(make_kb, bundle):
    from kb.access import Viewer
    from kb.search.query.hybrid import SearchRequest
    from kb.sso.identity import Claims, sign_in

    bundle.people(
        [
            {"id": "anna.lind", "name": "Anna Lind", "email": "anna@skola.se"},
            {"id": "sara.berg", "name": "Sara Berg", "unit": "Norrskolan"},
        ]
    )
    bundle.doc(
        "material/plan.md", "Läsplanen för enheten.", authors=["anna.lind"], visibility="unit"
    )
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    sara = Viewer("sara.berg", "Norrskolan")

    def found() -> list[str]:
        return [
            h.source for h in kb.finder.search(SearchRequest(text="läsplanen", viewer=sara)).hits
        ]

    assert found() == []
    sign_in(kb, Claims("oidc", "idp", "anna-1", "anna@skola.se", unit="Norrskolan"))
    assert found() == ["material/plan.md"]
