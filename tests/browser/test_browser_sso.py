"""Single sign-on in Chromium: through a real OIDC provider and a real SAML IdP (pysaml2) to
kb's home page, with the unit and the coordinator role the identity provider gives."""

from __future__ import annotations

import html

import pytest
from werkzeug.wrappers import Request, Response

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import make_app, open_kb, serving
from tests.oidc_provider import running_provider
from tests.saml_idp import (
    TestIdP,
    federation_metadata,
    idp_config,
    needs_xmlsec1,
    post_binding,
    write_pair,
)

pytestmark = [pytest.mark.browser, needs_xmlsec1]
COORDINATOR = "urn:x-kb:coordinator"


class BrowserIdP:
    """The IdP's web side: answers kb's redirect with a page whose button posts the response."""

    def __init__(self) -> None:
        self.idp: TestIdP | None = None
        self.identity: dict = {}

    def __call__(self, environ, start_response):
        request = Request(environ)
        xml, relay = self.idp.answer(request.url, self.identity)
        # Where the response goes: the ACS of kb's metadata, which pysaml2 put in Destination.
        destination = xml.split('Destination="', 1)[1].split('"', 1)[0]
        page = f"""<!doctype html><html lang="sv"><title>IdP</title><body>
<form method="post" action="{html.escape(destination)}">
<input type="hidden" name="SAMLResponse" value="{post_binding(xml)}">
<input type="hidden" name="RelayState" value="{html.escape(relay)}">
<button type="submit">Skicka till kb</button></form></body></html>"""
        return Response(page, mimetype="text/html")(environ, start_response)


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory, monkeypatch_module):
    """kb with both ways in configured, an OIDC provider and a SAML IdP, all on local ports."""
    folder = tmp_path_factory.mktemp("sso-browser")
    base = open_kb(folder / "instance", SAMPLE_BUNDLE)
    web_idp = BrowserIdP()
    monkeypatch_module.setenv("KB_BROWSER_OIDC_SECRET", "secret")
    with running_provider() as provider, serving(web_idp, host="localhost") as idp_httpd:
        sso_url = f"http://localhost:{idp_httpd.server_port}/sso"
        entity = "https://idp.norrvik.example.se/idp"
        fed, keys = write_pair(folder, "fed"), write_pair(folder, "idp")
        aggregate = federation_metadata(
            folder, [idp_config(entity, sso_url, *keys, "Norrvikens kommun")], fed
        )
        config = {
            "units": {"SE0001": "Ängsskolan"},
            "oidc": {
                "school": {
                    "label": "Skolans konto",
                    "discovery_url": f"{provider.url}/.well-known/openid-configuration",
                    "client_id": "kb",
                    "client_secret_env": "KB_BROWSER_OIDC_SECRET",
                    "coordinator_roles": ["kb.coordinator"],
                }
            },
            "saml": {
                "metadata_file": str(aggregate),
                "metadata_cert": fed[1],
                "coordinator_values": [COORDINATOR],
            },
        }
        app = make_app(base, TESTING=False, SSO=config)
        with serving(app) as kb_httpd:
            url = f"http://127.0.0.1:{kb_httpd.server_port}"
            sp_xml = app.test_client().get("/sso/saml/metadata", base_url=url).get_data(True)
            web_idp.idp = TestIdP(idp_config(entity, sso_url, *keys, "Norrvikens kommun", sp_xml))
            yield {"url": url, "provider": provider, "idp": web_idp, "kb": base}
    base.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def test_a_coordinator_logs_in_through_oidc_and_lands_on_home_with_unit_and_role(page, sso_site):
    sso_site["provider"].set_user(
        "sub-johan",
        email="johan.lindqvist@example.se",
        name="Johan Lindqvist",
        roles=["kb.coordinator"],
    )
    page.goto(sso_site["url"] + "/login")
    page.get_by_role("link", name="Logga in med Skolans konto").click()
    page.locator("input[name=sub]").fill("sub-johan")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(sso_site["url"] + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Johan Lindqvist!"
    who = page.locator("p.whoami").inner_text()
    assert "Ängsskolan" in who and "Samordnare (från din organisation)" in who
    assert page.get_by_role("link", name="Kunskapsrisker").is_visible()


def test_a_teacher_logs_in_through_the_federation_and_lands_on_home_with_unit(page, sso_site):
    sso_site["idp"].identity = {
        "eduPersonPrincipalName": ["elin.forsberg@example.se"],
        "sisSchoolUnitCode": ["SE0001"],
        "displayName": ["Elin Forsberg"],
        "eduPersonEntitlement": ["urn:x-kb:teacher"],
    }
    page.goto(sso_site["url"] + "/login")
    page.get_by_role("link", name="Logga in med Skolfederation").click()
    page.get_by_role("link", name="Norrvikens kommun").click()
    page.get_by_role("button", name="Skicka till kb").click()
    page.wait_for_url(sso_site["url"] + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Elin Forsberg!"
    assert page.locator("p.whoami").inner_text() == "Ängsskolan"
    assert page.get_by_role("link", name="Kunskapsrisker").count() == 0
    page.goto(sso_site["url"] + "/sso/saml/discovery")
    last = page.locator("a[data-last]")
    assert last.inner_text() == "Norrvikens kommun"


def test_a_coordinator_from_the_federation_sees_the_risk_page(page, sso_site):
    sso_site["idp"].identity = {
        "eduPersonPrincipalName": ["amira.haddad@example.se"],
        "sisSchoolUnitCode": ["SE0001"],
        "eduPersonEntitlement": [COORDINATOR],
    }
    page.goto(sso_site["url"] + "/sso/saml/login?idp=https://idp.norrvik.example.se/idp")
    page.get_by_role("button", name="Skicka till kb").click()
    page.wait_for_url(sso_site["url"] + "/")
    page.get_by_role("link", name="Kunskapsrisker").click()
    assert page.get_by_role("heading", level=1).is_visible()
    assert "/risk" in page.url


@pytest.mark.parametrize(
    "path",
    ["/login", "/sso/saml/discovery", "/sso/saml/login?idp=https://unknown.example/idp"],
    ids=["login", "discovery", "refused"],
)
def test_the_single_sign_on_pages_pass_axe_and_the_csp(page, sso_site, path):
    from tests.browser.conftest import Visit

    visit = Visit(page, sso_site["url"])
    visit.goto(path)
    assert visit.axe_violations() == []
    assert visit.csp_errors == []
