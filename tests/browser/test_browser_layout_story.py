"""What a new user tripped over, in a real browser at 1280 and 390 px: the risk page's button
beside its select and its table's columns on a phone, the coordinator's menu on one row, no
word broken in the middle in a document's table, no colleague preselected on a request."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TABLE_MD = b"""# Exit tickets med kontrolluppgift

| Typ | Exempel | Vad den visar |
|---|---|---|
| Kontrolluppgift | Los 3x + 4 = x + 10. | Om eleven kan utfora det lektionen handlade om |
| Sjalvskattning | Hur saker ar du, 1-4? | Hur eleven sjalv bedomer sin forstaelse |
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_risk_pages_show_button_sits_beside_or_under_its_select(visit_at, width):
    colleague = visit_at("wide" if width == 1280 else "phone")
    colleague.goto("/risk")
    select = colleague.page.locator("#leaving").bounding_box()
    button = colleague.page.get_by_role("button", name="Visa").bounding_box()
    beside = 0 <= button["x"] - (select["x"] + select["width"]) <= 24
    under = 0 <= button["y"] - (select["y"] + select["height"]) <= 24
    assert beside or under, (select, button)
    colleague.screenshot("issue28-risk")


def test_on_a_phone_every_column_of_the_risk_table_is_in_view_and_named(visit_at):
    colleague = visit_at("phone")
    colleague.goto("/risk")
    row = colleague.page.locator("table.data tbody tr").first
    for label in ("Risk", "Antal", "Dokument", "Lastbilsfaktor", "Kollegor"):
        cell = row.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, label
        assert cell.evaluate("e => getComputedStyle(e, '::before').content").startswith(f'"{label}')
    box = colleague.page.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing hides sideways


def test_the_coordinators_menu_is_one_row_at_1280_px(visit_at):
    colleague = visit_at("wide")
    colleague.goto("/risk")
    tops = colleague.page.eval_on_selector_all(
        "#main-menu > li", "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) >= 12 and len(set(tops)) == 1, tops
    right = colleague.page.eval_on_selector(
        "#main-menu > li:last-child", "e => e.getBoundingClientRect().right"
    )
    assert right <= 1280  # on one row, and all of it in view
    colleague.screenshot("issue28-menu")


def test_a_documents_table_breaks_no_word_in_the_middle(visit_at, live_kb):
    from kb.features.share.queries import share_material

    source = share_material(
        live_kb, live_kb.people.viewer("karin.sjoberg"), "exit.md", TABLE_MD, {"title": ""}
    )
    for width in ("wide", "phone"):
        colleague = visit_at(width)
        colleague.goto(f"/doc/{source}")
        lines = colleague.page.evaluate(
            """() => {
              const cell = [...document.querySelectorAll('td')]
                .find(td => td.textContent.trim() === 'Kontrolluppgift');
              const range = document.createRange();
              range.selectNodeContents(cell);
              return range.getClientRects().length;
            }"""
        )
        assert lines == 1, width


def test_suggesting_a_colleague_for_a_request_preselects_nobody(visit_at, live_kb):
    question = "Hur bygger man en fladdermusholk?"
    number = live_kb.upkeep.ask_material(live_kb.people.viewer("karin.sjoberg"), question)
    colleague = visit_at("wide")
    colleague.goto("/requests")
    select = colleague.page.locator(f"#expert-{number}")
    assert select.evaluate("s => s.value") == ""
    names = select.locator("option").all_inner_texts()
    assert "Karin Sjöberg" not in names  # the asker is not offered to write it for herself
    colleague.screenshot("issue28-requests")


@pytest.mark.parametrize("width", [1024, 1100, 1280])
def test_the_menu_never_makes_a_laptop_page_scroll_sideways(browser, server, karins_session, width):
    ctx = browser.new_context(
        viewport={"width": width, "height": 800}, locale="sv-SE", storage_state=karins_session
    )
    try:
        page = ctx.new_page()
        page.goto(server + "/risk")
        menu = page.eval_on_selector("#main-menu", "e => [e.scrollWidth, e.clientWidth]")
        assert menu[0] <= menu[1]
    finally:
        ctx.close()
