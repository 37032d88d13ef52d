"""Every page in a real browser at 1280 and 390 px: no axe-core violations, no CSP
complaints, nothing wider than the viewport, and a screenshot each (see conftest)."""

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
    ("search-filtered", "/?q=läsning&author=karin.sjoberg&sort=newest&since=2024-01-01"),
    ("search-no-results", "/?q=zyxwvut"),
    ("learned", "/learned?q=läsutmaning"),
    ("document", "/doc/reflections/2025-03-12-lasframjande-natverket.md"),
    ("document-html", "/doc/material/sprakutveckling/meningsstartare-och-stottning.html"),
    ("document-docx", "/doc/material/lattlast/ll-bocker-urval-2026.docx"),
    ("document-pdf", "/doc/material/schack/schack-i-matematiken.pdf"),
    ("document-txt", "/doc/material/programmering/microbit-felsokning.txt"),
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
WIDTHS = ("wide", "phone")


def check(visit, name: str) -> None:
    assert visit.axe_violations() == []
    assert visit.csp_errors == []
    assert visit.overflow() == {}
    visit.screenshot(name)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_log_in_page_is_accessible_and_fits(visit_at, width):
    visit = visit_at(width, logged_in=False)
    visit.goto("/login")
    check(visit, "login")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_is_accessible_and_fits(visit_at, name, path, width):
    visit = visit_at(width)
    visit.goto(path)
    visit.page.wait_for_load_state("networkidle")
    check(visit, name)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_english_pages_are_accessible_and_fit(visit_at, width):
    visit = visit_at(width)
    visit.goto("/risk")
    visit.page.get_by_role("button", name="In English").click()
    visit.page.wait_for_load_state()
    assert visit.page.locator("html").get_attribute("lang") == "en"
    check(visit, "risk-en")
