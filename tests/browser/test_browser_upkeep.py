"""Search gaps, material requests and review dates in a real browser at 1280 and 390 px: no
axe violations, no CSP complaints, no page wider than a phone, and asking for material from
an empty search."""

from __future__ import annotations

import re

import pytest

from kb.access import Viewer

pytestmark = pytest.mark.browser

OLD = "material/programmering/microbit-kom-igang.md"  # overdue on the sample day
PAGES = [
    ("gaps", "/gaps"),
    ("requests", "/requests"),
    ("review", "/review"),
    ("document-overdue", f"/doc/{OLD}"),
    ("search-ask", "/?q=kvastfenmetodik"),
    ("share-answers", "/share?answers=1"),
    ("risk-unowned", "/risk?leaving=johan.lindqvist"),
]
WIDTHS = (1280, 390)


@pytest.fixture(scope="module", autouse=True)
def upkeep_data(live_kb):
    """A gap two colleagues ran into, an open request with a vote and an expert, an answered one."""
    for person in ("johan.lindqvist", "elin.forsberg"):
        live_kb.upkeep.record_search(live_kb.people.viewer(person), "veckoschema med bildstöd", 0)
    asked = live_kb.upkeep.ask_material(
        live_kb.people.viewer("noah.berg"), "Veckoschema med bildstöd för åk 2"
    )
    live_kb.upkeep.vote_request(live_kb.people.viewer("elin.forsberg"), asked)
    live_kb.upkeep.suggest_expert(asked, "elin.forsberg")
    answered = live_kb.upkeep.ask_material(
        live_kb.people.viewer("johan.lindqvist"), "Kom igång med micro:bit"
    )
    live_kb.upkeep.answer_request(Viewer.system(), answered, OLD)
    # Karin owns something overdue, so her own list is not empty.
    live_kb.documents.store.set_owners(OLD, ["johan.lindqvist", "karin.sjoberg"])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_upkeep_pages_have_no_accessibility_violations(colleague, name, path, width):
    colleague.page.set_viewport_size({"width": width, "height": 900})
    colleague.goto(path)
    assert colleague.axe_violations() == []
    assert colleague.csp_errors == []


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_on_a_phone_the_upkeep_pages_never_scroll_sideways(colleague, name, path):
    colleague.page.set_viewport_size({"width": 390, "height": 844})
    colleague.goto(path)
    overflow = colleague.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


def test_the_gaps_page_shows_what_two_colleagues_did_not_find(colleague):
    colleague.goto("/gaps")
    assert colleague.page.get_by_role("heading", name="”veckoschema med bildstöd”").is_visible()
    assert "2 kollegor" in colleague.page.locator("main").inner_text()


def test_a_colleague_asks_for_material_from_an_empty_search(visit):
    visit.log_in("noah.berg")
    page = visit.page
    visit.goto("/?q=kvastfenmetodik")
    page.get_by_role("button", name="Be om material").click()
    page.wait_for_url(re.compile(r"/requests#request-\d+$"))
    assert page.get_by_role("heading", name="kvastfenmetodik").is_visible()
    assert "Din förfrågan är sparad" in page.locator("main").inner_text()


def test_an_owner_marks_an_overdue_document_reviewed_on_its_page(colleague):
    page = colleague.page
    colleague.goto(f"/doc/{OLD}")
    assert page.get_by_text("Behöver granskas").first.is_visible()
    page.get_by_role("button", name="Markera som granskad").click()
    page.wait_for_url(re.compile(re.escape(OLD) + "$"))
    assert "Markerat som granskat i dag." in page.locator("main").inner_text()
    assert page.get_by_text("Behöver granskas").count() == 0
