"""The expertise pages in a real browser at 1280 and 390 px: no axe violations, readable chart
labels, tables that scroll inside their box, a page that never scrolls sideways."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    ("experts", "/experts?q=exit+tickets"),
    ("newcomers", "/newcomers?newcomer=noah.berg"),
    ("matching", "/newcomers/matching"),
    ("risk", "/risk"),
    ("risk-leaving", "/risk?leaving=dragan.petrovic"),
]
WIDTHS = (1280, 390)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_expertise_pages_have_no_accessibility_violations(colleague, name, path, width):
    colleague.page.set_viewport_size({"width": width, "height": 900})
    colleague.goto(path)
    assert colleague.axe_violations() == []
    assert colleague.csp_errors == []


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_on_a_phone_the_page_never_scrolls_sideways(colleague, name, path):
    colleague.page.set_viewport_size({"width": 390, "height": 844})
    colleague.goto(path)
    overflow = colleague.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


def test_on_a_phone_the_risk_chart_labels_are_readable_text(colleague):
    colleague.page.set_viewport_size({"width": 390, "height": 844})
    colleague.goto("/risk")
    sizes = colleague.page.eval_on_selector_all(
        ".bars .bar-label", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 14


def test_on_a_phone_the_risk_table_needs_no_sideways_scroll(colleague):
    colleague.page.set_viewport_size({"width": 390, "height": 844})
    colleague.goto("/risk")
    box = colleague.page.locator(".table-scroll").first
    widths = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1]  # each row is a card with its columns named (issue 28)


def test_the_expert_page_shows_each_experts_strength(colleague):
    colleague.goto("/experts?q=exit+tickets")
    values = colleague.page.locator(".strength-value").all_inner_texts()
    assert values and values[0] == "100 %"
