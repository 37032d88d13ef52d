"""Log in through a SAML federation with a real pysaml2 IdP signing real assertions."""

from __future__ import annotations

import html
import logging
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from lxml import etree

from kb import accounts
from kb.models import Person, SsoIdentity
from kb.sso import metadata
from tests.helpers import csrf_token, make_app
from tests.saml_idp import (
    TestIdP,
    federation_metadata,
    idp_config,
    needs_xmlsec1,
    post_binding,
    write_pair,
)

pytestmark = needs_xmlsec1
IDP = "https://idp.norrvik.example.se/idp"
SSO_URL = "https://idp.norrvik.example.se/sso"
COORDINATOR = "urn:x-kb:coordinator"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saml")
    fed, idp, rogue = (write_pair(folder, n) for n in ("federation", "idp", "rogue"))
    conf = idp_config(IDP, SSO_URL, *idp, "Norrvikens kommun")
    aggregate = federation_metadata(folder, [conf], fed)
    return SimpleNamespace(folder=folder, fed=fed, idp=idp, rogue=rogue, metadata=aggregate)


@pytest.fixture
def sso_config(keys):
    return {
        "units": {"SE0001": "Ängsskolan"},
        "saml": {
            "metadata_file": str(keys.metadata),
            "metadata_cert": keys.fed[1],
            "coordinator_values": [COORDINATOR],
        },
    }


@pytest.fixture
def client(kb, sso_config):
    return make_app(kb, SSO=sso_config).test_client()


@pytest.fixture
def sp_xml(client):
    return client.get("/sso/saml/metadata").get_data(as_text=True)


@pytest.fixture
def idp(keys, sp_xml):
    return TestIdP(idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun", sp_xml))


def teacher(eppn="johan.lindqvist@example.se", unit="SE0001", *entitlements):
    return {
        "eduPersonPrincipalName": [eppn],
        "sisSchoolUnitCode": [unit],
        "displayName": ["Ny Lärare"],
        "eduPersonEntitlement": list(entitlements) or ["urn:x-kb:teacher"],
    }


def log_in(client, idp, identity, sign=True, tamper=None, relay=None):
    """Go to the IdP from kb and post its answer back; return kb's answer and what was posted."""
    start = client.get(f"/sso/saml/login?idp={IDP}")
    assert start.status_code == 302, start.get_data(as_text=True)
    xml, relay_state = idp.answer(start.headers["Location"], identity, sign=sign and not tamper)
    if tamper:
        xml = idp.resign(xml, tamper)
    form = {"SAMLResponse": post_binding(xml), "RelayState": relay or relay_state}
    return client.post("/sso/saml/acs", data=form), form


def identities(kb):
    with kb.db.read() as session:
        return session.query(SsoIdentity).count()


def refused(answer, words="Inloggningen kunde inte kontrolleras"):
    assert answer.status_code == 403
    assert words in answer.get_data(as_text=True)
    return True


def test_a_teacher_logs_in_through_the_federation_and_lands_on_the_home_page(kb, client, idp):
    answer, _form = log_in(client, idp, teacher())
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Hej Johan Lindqvist!" in home and 'data-unit="Ängsskolan"' in home


def test_a_new_colleague_gets_the_unit_of_the_school_unit_code_just_in_time(kb, sso_config, keys):
    sso_config["just_in_time"] = True
    client = make_app(kb, SSO=sso_config).test_client()
    sp_xml = client.get("/sso/saml/metadata").get_data(as_text=True)
    idp = TestIdP(idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun", sp_xml))
    answer, _form = log_in(client, idp, teacher("ny.larare@norrvik.example.se"))
    assert answer.status_code == 302
    with kb.db.read() as session:
        person = session.get(Person, "ny.larare")
        assert (person.name, person.unit) == ("Ny Lärare", "Ängsskolan")


def test_an_unsigned_assertion_is_refused(kb, client, idp):
    assert refused(log_in(client, idp, teacher(), sign=False)[0])
    assert identities(kb) == 0


def test_an_assertion_signed_with_another_key_is_refused(kb, client, keys, sp_xml):
    impostor = TestIdP(idp_config(IDP, SSO_URL, *keys.rogue, "Norrvikens kommun", sp_xml))
    assert refused(log_in(client, impostor, teacher())[0])
    assert identities(kb) == 0


def test_an_assertion_signed_with_sha1_is_refused(kb, client, keys, sp_xml):
    old = TestIdP(idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun", sp_xml, sha1=True))
    assert refused(log_in(client, old, teacher())[0])
    assert identities(kb) == 0


def test_an_assertion_for_another_service_is_refused(kb, client, idp):
    def other_audience(assertion):
        restriction = assertion.conditions.audience_restriction[0]
        restriction.audience[0].text = "https://another-service.example.se/sp"

    assert refused(log_in(client, idp, teacher(), tamper=other_audience)[0])
    assert identities(kb) == 0


def test_an_expired_assertion_is_refused(kb, client, idp):
    def expired(assertion):
        past = "2020-01-01T00:00:00Z"
        assertion.conditions.not_on_or_after = past
        for confirmation in assertion.subject.subject_confirmation:
            confirmation.subject_confirmation_data.not_on_or_after = past

    assert refused(log_in(client, idp, teacher(), tamper=expired)[0])
    assert identities(kb) == 0


def test_a_properly_resigned_assertion_is_accepted(kb, client, idp):
    # The tampering helper itself signs correctly: only the changes make the cases above fail.
    answer, _form = log_in(client, idp, teacher(), tamper=lambda assertion: None)
    assert answer.status_code == 302


def test_a_replayed_response_is_refused_by_any_server_of_the_instance(kb, client, idp, sso_config):
    first, form = log_in(client, idp, teacher())
    assert first.status_code == 302
    # Another server over the same database (the used assertion ids live there).
    elsewhere = make_app(kb, SSO=sso_config).test_client()
    assert refused(elsewhere.post("/sso/saml/acs", data=form), "redan använts")
    assert refused(client.post("/sso/saml/acs", data=form), "redan använts")


def test_a_changed_relay_state_is_refused(kb, client, idp):
    answer, _form = log_in(client, idp, teacher(), relay="forged-state")
    assert refused(answer, "avbröts")
    assert identities(kb) == 0


def test_an_organisation_not_in_the_metadata_is_told_so(kb, client):
    answer = client.get("/sso/saml/login?idp=https://idp.elsewhere.example/idp")
    assert refused(answer, "Din organisation är inte ansluten till kb")


def test_a_response_from_an_idp_not_in_the_metadata_is_refused(kb, client, keys, sp_xml):
    stranger = TestIdP(
        idp_config("https://idp.elsewhere.example/idp", SSO_URL, *keys.rogue, "X", sp_xml)
    )
    assert log_in(client, stranger, teacher())[0].status_code == 403
    assert identities(kb) == 0


def test_metadata_signed_by_someone_else_is_not_trusted(keys, tmp_path):
    conf = idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun")
    forged = federation_metadata(tmp_path, [conf], keys.rogue)
    with pytest.raises(metadata.MetadataError, match="signature"):
        metadata.verify(forged.read_bytes(), keys.fed[1])
    sha1 = federation_metadata(tmp_path, [conf], keys.fed, sha1=True)
    with pytest.raises(metadata.MetadataError, match="SHA-1"):
        metadata.verify(sha1.read_bytes(), keys.fed[1])
    root = etree.fromstring(keys.metadata.read_bytes())
    root.remove(root.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    with pytest.raises(metadata.MetadataError, match="not signed"):
        metadata.verify(etree.tostring(root), keys.fed[1])


def test_an_entitlement_makes_a_coordinator_until_the_idp_drops_it(kb, client, idp, sso_config):
    log_in(client, idp, teacher("johan.lindqvist@example.se", "SE0001", COORDINATOR))
    assert client.get("/risk").status_code == 200
    again = make_app(kb, SSO=sso_config).test_client()
    log_in(again, idp, teacher())
    assert again.get("/risk").status_code == 403
    assert not accounts.account(kb, "johan.lindqvist").is_coordinator


def test_a_coordinator_given_in_kb_stays_one(kb, client, idp):
    log_in(client, idp, teacher("karin.sjoberg@example.se"))
    assert client.get("/risk").status_code == 200
    assert accounts.account(kb, "karin.sjoberg").coordinator_source == "kb"


def test_the_discovery_page_lists_the_organisations_and_remembers_the_last_choice(client):
    page = client.get("/sso/saml/discovery").get_data(as_text=True)
    assert "Norrvikens kommun" in page and "data-last" not in page
    client.get(f"/sso/saml/login?idp={IDP}")
    page = client.get("/sso/saml/discovery").get_data(as_text=True)
    assert 'data-last="true"' in page and "Senast vald" in page


def test_the_service_provider_metadata_has_a_stable_address(sp_xml):
    assert 'entityID="http://localhost/sso/saml/metadata"' in sp_xml
    assert 'Location="http://localhost/sso/saml/acs"' in sp_xml
    assert 'WantAssertionsSigned="true"' in sp_xml


def test_every_saml_log_in_writes_an_audit_line(client, idp, caplog):
    with caplog.at_level(logging.INFO, logger="kb.audit"):
        log_in(client, idp, teacher())
    assert f"person=johan.lindqvist how=saml provider={IDP}" in caplog.text


def test_the_metadata_is_refreshed_and_a_forged_refresh_keeps_the_last_good_copy(keys, tmp_path):
    from kb.sso.settings import SamlSettings

    source = tmp_path / "published"
    source.mkdir()
    conf = idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun")
    published = federation_metadata(source, [conf], keys.fed)
    saml = SamlSettings(metadata_file=str(published), metadata_cert=keys.fed[1])
    instance = tmp_path / "instance"
    assert [p.name for p in metadata.identity_providers(metadata.load(saml, instance))] == [
        "Norrvikens kommun"
    ]
    second = idp_config("https://idp.ek.example.se/idp", SSO_URL, *keys.idp, "Eksjö kommun")
    federation_metadata(source, [conf, second], keys.fed)
    assert len(metadata.identity_providers(metadata.load(saml, instance))) == 1  # still fresh
    refreshed = metadata.identity_providers(metadata.load(saml, instance, refresh=True))
    assert len(refreshed) == 2
    federation_metadata(source, [conf], keys.rogue)
    kept = metadata.identity_providers(metadata.load(saml, instance, refresh=True))
    assert len(kept) == 2


def test_a_response_kb_did_not_ask_for_is_refused(kb, client, idp):
    _answer, form = log_in(client, idp, teacher(), relay="x")
    fresh = {"SAMLResponse": form["SAMLResponse"]}
    assert refused(client.post("/sso/saml/acs", data=fresh), "avbröts")


def test_log_out_ends_the_kb_session_and_offers_the_idps_single_log_out(kb, client, idp):
    log_in(client, idp, teacher())
    token = csrf_token(client.get("/").get_data(as_text=True))
    page = client.post("/logout", data={"logout-csrf_token": token}).get_data(as_text=True)
    assert "Du är utloggad från kb" in page
    assert client.get("/").status_code == 302  # kb's own session has ended
    location = html.unescape(re.search(r'href="([^"]+)" data-slo="true"', page).group(1))
    assert location.startswith(SSO_URL + "/logout?SAMLRequest=")
    back = urlsplit(idp.end_session(location))
    assert idp.logged_out  # the IdP read kb's LogoutRequest and the NameID in it
    assert back.path == "/sso/saml/sls"
    done = client.get(f"{back.path}?{back.query}", follow_redirects=True)
    assert "Du är utloggad även hos din organisation." in done.get_data(as_text=True)


def test_over_https_an_answer_counts_only_in_the_browser_that_asked_for_it(kb, sso_config, keys):
    app = make_app(kb, SSO=sso_config)
    asker, victim = app.test_client(), app.test_client()
    https = {"base_url": "https://localhost"}
    sp_xml = asker.get("/sso/saml/metadata", **https).get_data(as_text=True)
    idp = TestIdP(idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun", sp_xml))
    start = asker.get(f"/sso/saml/login?idp={IDP}", **https)
    xml, relay = idp.answer(start.headers["Location"], teacher())
    form = {"SAMLResponse": post_binding(xml), "RelayState": relay}
    # Someone else's answer posted from a victim's browser does not log the victim in.
    assert refused(victim.post("/sso/saml/acs", data=form, **https), "avbröts")
    assert victim.get("/", **https).status_code == 302
    assert asker.post("/sso/saml/acs", data=form, **https).status_code == 302


def test_the_idp_can_end_the_kb_session_it_started(kb, client, idp):
    log_in(client, idp, teacher())
    assert client.get("/").status_code == 200
    asked = urlsplit(idp.ask_logout("http://localhost/sso/saml/sls"))
    answer = client.get(f"{asked.path}?{asked.query}")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(SSO_URL + "/logout?SAMLResponse=")
    assert client.get("/").status_code == 302  # logged out of kb


def test_a_logout_request_for_someone_else_leaves_the_session_alone(kb, client, idp):
    from saml2.saml import NameID

    log_in(client, idp, teacher())
    idp.name_id = NameID(text="someone-else", format=idp.name_id.format)
    asked = urlsplit(idp.ask_logout("http://localhost/sso/saml/sls"))
    client.get(f"{asked.path}?{asked.query}")
    assert client.get("/").status_code == 200


def test_a_refused_assertion_creates_no_colleague_even_when_just_in_time_is_on(
    kb, sso_config, keys
):
    sso_config["just_in_time"] = True
    client = make_app(kb, SSO=sso_config).test_client()
    sp_xml = client.get("/sso/saml/metadata").get_data(as_text=True)
    idp = TestIdP(idp_config(IDP, SSO_URL, *keys.idp, "Norrvikens kommun", sp_xml))
    impostor = TestIdP(idp_config(IDP, SSO_URL, *keys.rogue, "Norrvikens kommun", sp_xml))
    stranger = teacher("ny.larare@norrvik.example.se")
    assert refused(log_in(client, idp, stranger, sign=False)[0])
    assert refused(log_in(client, impostor, stranger)[0])
    with kb.db.read() as session:
        assert session.get(Person, "ny.larare") is None
    assert identities(kb) == 0
