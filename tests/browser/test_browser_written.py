"""Documents as written, search order and filters, and the phone layout, in a real browser."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.files import make_docx_table
from tests.test_format_odt import make_odt
from tests.test_format_pptx import presentation

pytestmark = pytest.mark.browser

WIDTHS = ("wide", "phone")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT_MIME = "application/vnd.oasis.opendocument.text"


def share(visit, filename: str, mime: str, data: bytes, title: str, lands_on: str):
    """Share a file through the form and return the body of the document page it leads to."""
    page = visit.page
    visit.goto("/share")
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": filename, "mimeType": mime, "buffer": data}
    )
    page.get_by_label("Titel").fill(title)
    page.get_by_role("button", name="Dela materialet").click()
    page.wait_for_url(re.compile(f"/doc/material/uploads/{lands_on}"))
    return page.locator(".doc-body")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_docx_table_shows_as_a_table(visit_at, width):
    visit = visit_at(width)
    rows = [("Mall", "Ämne"), ("3-2-1", "Matematik"), ("Trafikljuset", "Svenska")]
    data = make_docx_table("Mallar", rows)
    title = f"Exit tickets i tabell ({width})"
    body = share(visit, "mallar.docx", DOCX_MIME, data, title, "exit-tickets-i-tabell")
    table = body.get_by_role("table")
    assert table.get_by_role("columnheader").all_inner_texts() == ["Mall", "Ämne"]
    assert table.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts() == [
        "3-2-1",
        "Matematik",
    ]
    assert visit.overflow() == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_an_html_list_shows_as_a_list_without_a_second_title(visit_at, width):
    visit = visit_at(width)
    visit.goto("/doc/material/sprakutveckling/meningsstartare-och-stottning.html")
    body = visit.page.locator(".doc-body")
    assert body.get_by_role("list").first.get_by_role("listitem").count() > 2
    assert body.get_by_role("heading", level=2).count() > 0
    assert visit.page.get_by_role("heading", level=1).count() == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pdf_page_shows_as_an_image_beside_its_text(visit_at, width):
    visit = visit_at(width)
    page = visit.page
    visit.goto("/doc/material/schack/schack-i-matematiken.pdf")
    image = page.get_by_role("img", name="Sida 1 som den ser ut i originalet")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 300
    picture, text = image.bounding_box(), page.locator(".page-text").bounding_box()
    if width == "wide":
        assert picture["x"] + picture["width"] <= text["x"]  # side by side
    else:
        assert picture["y"] + picture["height"] <= text["y"]  # one above the other
    assert "Sida 1 av 1" in page.locator(".pdf-page h2").inner_text()
    assert "Koordinater på brädet" in page.locator(".page-text").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_colleague_sorts_the_hits_newest_first(visit_at, live_kb, width):
    visit = visit_at(width)
    page = visit.page
    visit.goto("/?q=läsning")
    page.get_by_role("link", name="Nyast först").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    sources = [
        source_of(href)
        for href in page.locator("ol.results h3 a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
    ]
    catalog = live_kb.indexes.catalog()
    days = [catalog.by_source[s].date for s in sources if catalog.by_source[s].date]
    assert len(days) > 3 and days == sorted(days, reverse=True)
    assert page.get_by_role("link", name="Nyast först").get_attribute("aria-current") == "true"


def source_of(href: str) -> str:
    """The document a hit's link opens: /hit/TOKEN/SOURCE?q=… (or /doc/SOURCE)."""
    path = unquote(href.split("?", 1)[0])
    return re.sub(r"^/(?:hit/[0-9a-f]+|doc)/", "", path)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_colleague_filters_the_hits_by_author(visit_at, width):
    visit = visit_at(width)
    page = visit.page
    visit.goto("/?q=läsning")
    if width == "phone":
        toggle = page.get_by_role("button", name="Visa filter")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#facet-author").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    first = page.locator('ul[aria-labelledby="facet-author"] a').first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"author="))
    assert (
        page.get_by_role("list", name="Valda filter").inner_text().startswith(f"Författare: {name}")
    )
    metas = page.locator("ol.results .meta").all_inner_texts()
    assert metas and all(name in meta for meta in metas)


def test_on_a_phone_the_menu_folds_behind_a_button_and_results_start_near_the_top(visit_at):
    visit = visit_at("phone")
    page = visit.page
    visit.goto("/?q=läsning")
    menu = page.get_by_role("button", name="Meny")
    assert not page.get_by_role("link", name="Kollegor", exact=True).is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Kollegor", exact=True).is_visible()
    menu.click()
    assert page.locator("#results-heading").bounding_box()["y"] < 700


def test_on_a_wide_screen_the_menu_and_the_filters_are_simply_there(visit_at):
    visit = visit_at("wide")
    page = visit.page
    visit.goto("/?q=läsning")
    assert not page.get_by_role("button", name="Meny").is_visible()
    assert not page.get_by_role("button", name="Visa filter").is_visible()
    assert page.get_by_role("link", name="Kollegor", exact=True).is_visible()
    assert page.locator("#facet-author").is_visible()


def test_the_risk_table_shows_every_column_as_cards_on_a_phone(visit_at):
    visit = visit_at("phone")
    visit.goto("/risk")
    box = visit.page.locator(".table-scroll").first
    # Issue 28: no column hidden in a sideways-scrolling box; each row is a card instead.
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
    assert visit.overflow() == {}  # nor does the page scroll sideways


@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_presentation_shows_its_slides_one_after_another(visit_at, width):
    visit = visit_at(width)
    title = f"Fladdermusholkar ({width})"
    body = share(visit, "holkar.pptx", PPTX_MIME, presentation(), title, "fladdermusholkar")
    assert body.get_by_role("heading", level=2).all_inner_texts()[:3] == [
        "Bild 1",
        "Bild 2",
        "Bild 3",
    ]
    assert body.get_by_role("heading", name="Bygg en holk").is_visible()
    assert "Moment" in body.get_by_role("columnheader").all_inner_texts()
    visit.screenshot("document-pptx")
    assert visit.overflow() == {}
    assert visit.axe_violations() == []
    assert visit.csp_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_opendocument_text_shows_its_headings_list_and_table(visit_at, width):
    visit = visit_at(width)
    body = share(visit, "lasloggen.odt", ODT_MIME, make_odt(), f"Läsloggen ({width})", "lasloggen")
    assert body.get_by_role("heading", name="Så gör vi").is_visible()
    assert "Skriv tre rader om bokmalsdraken" in body.get_by_role("list").first.inner_text()
    assert body.get_by_role("table").get_by_role("columnheader").all_inner_texts() == [
        "Vecka",
        "Bok",
    ]
    visit.screenshot("document-odt")
    assert visit.overflow() == {}
    assert visit.axe_violations() == []
    assert visit.csp_errors == []
