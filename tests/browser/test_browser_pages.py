"""Every page in a real browser: no axe-core violations, no CSP complaints, a screenshot each."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    ("search", "/?q=exit+tickets"),
    ("home", "/"),
    ("search-empty", "/?q="),
    ("group", "/groups/L%C3%A4sfr%C3%A4mjande%20n%C3%A4tverket%20skola%E2%80%93bibliotek"),
    ("tag", "/tags/l%C3%A4sutmaning"),
    ("people-filter", "/people?q=svenska"),
    ("search-no-results", "/?q=zyxwvut"),
    ("learned", "/learned?q=läsutmaning"),
    ("document", "/doc/reflections/2025-03-12-lasframjande-natverket.md"),
    ("document-pdf", "/doc/material/schack/schack-i-matematiken.pdf"),
    ("people", "/people"),
    ("profile", "/people/karin.sjoberg"),
    ("profile-edit", "/people/karin.sjoberg/edit"),
    ("experts", "/experts?q=schack"),
    ("newcomers", "/newcomers?newcomer=noah.berg"),
    ("matching", "/newcomers/matching"),
    ("risk", "/risk?leaving=amira.haddad"),
    ("share", "/share"),
    ("reflect", "/reflect"),
    ("password", "/account/password"),
    ("not-found", "/doc/material/privat/forsberg-npf-fortbildning-utkast.md"),
]


def test_the_log_in_page_has_no_accessibility_violations(visit):
    visit.goto("/login")
    assert visit.axe_violations() == []
    assert visit.csp_errors == []
    visit.screenshot("login")


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_has_no_accessibility_violations(colleague, name, path):
    colleague.goto(path)
    assert colleague.axe_violations() == []
    assert colleague.csp_errors == []
    colleague.screenshot(name)


def test_the_english_pages_have_no_accessibility_violations(colleague):
    colleague.goto("/risk")
    colleague.page.get_by_role("button", name="In English").click()
    colleague.page.wait_for_load_state()
    assert colleague.page.locator("html").get_attribute("lang") == "en"
    assert colleague.axe_violations() == []
    colleague.screenshot("risk-en")
