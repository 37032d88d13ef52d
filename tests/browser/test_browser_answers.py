"""The extractive answer (issue 27) in a real browser, at 1280 and 390 px: the answer at the top
of the search page and of "Vad har vi lärt oss?", and its link opening the document scrolled to
the quoted words, marked, with no complaint from the CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import WIDTHS, Visit
from tests.conftest import DEMO_BUNDLE
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.model]
QUESTION = "/?q=vad+har+vi+l%C3%A4rt+oss+om+boksamtal"


@pytest.fixture(scope="module")
def answering_server(tmp_path_factory):
    """The demo with the real models and answers on, served from a thread."""
    from kb import accounts
    from kb.config import load_settings
    from kb.service import KnowledgeBase
    from tests.helpers import make_app, serving

    folder = tmp_path_factory.mktemp("browser-answers")
    kb = KnowledgeBase(load_settings(folder, today="2026-11-20", answers=True))
    kb.documents.ingest(DEMO_BUNDLE)
    accounts.set_password(kb, "amir.rahimi", PASSWORD)
    app = make_app(kb, TESTING=False, RATELIMIT_ENABLED=False)
    with serving(app) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"
    kb.close()


@pytest.fixture
def amir_at(browser, answering_server, screenshots):
    """Return a page at a width, with Amir Rahimi, the demo's new colleague, logged in."""
    opened = []

    def make(width: str) -> Visit:
        ctx = browser.new_context(viewport=WIDTHS[width], locale="sv-SE")
        ctx.set_default_timeout(15_000)
        opened.append(ctx)
        visit = Visit(
            ctx.new_page(), answering_server, screenshots, "" if width == "wide" else "-phone"
        )
        visit.goto("/login")
        visit.page.get_by_label("E-post eller användarnamn").fill("amir.rahimi")
        visit.page.get_by_label("Lösenord").fill(PASSWORD)
        visit.page.get_by_role("button", name="Logga in").click()
        visit.page.wait_for_url(answering_server + "/")
        return visit

    yield make
    for ctx in opened:
        ctx.close()


@pytest.mark.parametrize("width", ("wide", "phone"))
def test_the_answer_stands_above_the_hits_and_fits_the_screen(amir_at, width):
    amir = amir_at(width)
    amir.goto(QUESTION)
    box = amir.page.locator("section.answer")
    assert box.is_visible()
    assert "Boksamtalsgruppen" in box.inner_text()
    assert amir.overflow() == {}
    assert amir.axe_violations() == []
    box.scroll_into_view_if_needed()
    amir.screenshot("issue27-answer-search")
    amir.goto("/learned?q=boksamtal")
    assert amir.page.locator("section.answer").is_visible()
    amir.screenshot("issue27-answer-learned")
    assert amir.csp_errors == []


@pytest.mark.parametrize("width", ("wide", "phone"))
def test_what_we_learned_about_exit_tickets_is_answered_in_the_assessment_groups_words(
    amir_at, width
):
    amir = amir_at(width)
    amir.goto("/?q=vad+har+vi+l%C3%A4rt+oss+om+exit+tickets")
    box = amir.page.locator("section.answer")
    assert "Bedömningsgruppen" in box.inner_text()
    assert amir.overflow() == {}
    box.scroll_into_view_if_needed()
    amir.screenshot("issue27-answer-exit-tickets")


@pytest.mark.parametrize("width", ("wide", "phone"))
def test_the_answers_link_scrolls_to_the_quoted_words_marked(amir_at, width):
    amir = amir_at(width)
    amir.goto(QUESTION)
    first = amir.page.locator("section.answer .answer-sentences li").first
    quoted = first.locator("q").inner_text()
    first.locator("a").click()
    amir.page.wait_for_load_state()
    marked = amir.page.locator("mark.passage")
    assert " ".join(" ".join(marked.all_inner_texts()).split()) == " ".join(quoted.split())
    top = amir.page.evaluate("document.getElementById('passage').getBoundingClientRect().top")
    assert 0 <= top < WIDTHS[width]["height"]  # scrolled into view
    amir.screenshot("issue27-answer-passage")
    assert amir.csp_errors == []


@pytest.fixture(scope="module")
def disagreeing_server(tmp_path_factory):
    """Two groups that saw exit tickets differently (tests/test_answer_contrasts.py), served."""
    from kb import accounts
    from tests.helpers import make_app, serving
    from tests.test_answer_contrasts import two_groups

    make = two_groups.__wrapped__(tmp_path_factory)
    kb = next(make)
    accounts.set_password(kb, "anna.lind", PASSWORD)
    app = make_app(kb, TESTING=False, RATELIMIT_ENABLED=False)
    with serving(app) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"
    kb.close()


@pytest.mark.parametrize("width", ("wide", "phone"))
def test_two_groups_that_disagree_stand_side_by_side_or_one_above_the_other(
    browser, disagreeing_server, screenshots, width
):
    ctx = browser.new_context(viewport=WIDTHS[width], locale="sv-SE")
    try:
        anna = Visit(
            ctx.new_page(), disagreeing_server, screenshots, "" if width == "wide" else "-phone"
        )
        anna.goto("/login")
        anna.page.get_by_label("E-post eller användarnamn").fill("anna.lind")
        anna.page.get_by_label("Lösenord").fill(PASSWORD)
        anna.page.get_by_role("button", name="Logga in").click()
        anna.page.wait_for_url(disagreeing_server + "/")
        anna.goto("/?q=vad+har+vi+l%C3%A4rt+oss+om+exit+tickets")
        sides = anna.page.locator(".answer-side")
        assert sides.count() == 2
        first, second = (sides.nth(i).bounding_box() for i in range(2))
        if width == "wide":
            assert abs(first["y"] - second["y"]) < 2  # side by side
        else:
            assert second["y"] >= first["y"] + first["height"]  # one above the other
        assert anna.overflow() == {}
        assert anna.axe_violations() == []
        anna.page.locator("section.answer").scroll_into_view_if_needed()
        anna.screenshot("issue27-answer-contrast")
        assert anna.csp_errors == []
    finally:
        ctx.close()
