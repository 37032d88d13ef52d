"""Everyday use in a real browser at a desk (1280 px) and on a phone (390 px): edit, restore a
version, delete and undo, the home page of a teacher and of a newcomer, group and tag pages."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

WIDTHS = {"desk": 1280, "phone": 390}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(request, browser, server):
    """A page of the given width where nobody is logged in yet."""
    width = WIDTHS[request.param]
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    ctx.set_default_timeout(15_000)
    visit = Visit(ctx.new_page(), server)
    visit.width = width
    visit.label = request.param
    yield visit
    ctx.close()


# The elements that reach past the viewport, for the message of a failing check.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth
               || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'
                  && e.clientWidth > 0 && e.getBoundingClientRect().width > 300)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right.toFixed(1)
                        + '/' + e.scrollWidth)"""


def fits(visit: Visit) -> None:
    """Assert no axe violation, no CSP complaint and nothing wider than the viewport."""
    assert visit.axe_violations() == []
    assert visit.csp_errors == []
    wide = visit.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= visit.width, f"{visit.page.url} is {wide} px wide: {visit.page.evaluate(WIDEST)}"


def upload(live_kb, title: str, person: str = "karin.sjoberg") -> str:
    from kb.features.share.queries import share_material

    text = f"# {title}\n\nOm holkar och fåglar i skolträdgården."
    return share_material(live_kb, live_kb.people.viewer(person), "holk.md", text.encode(), {})


def test_an_author_edits_her_material(sized, live_kb):
    source = upload(live_kb, f"Holkar att ändra {sized.label}")
    sized.log_in()
    sized.goto(f"/doc/{source}")
    sized.page.get_by_role("link", name=re.compile("^Ändra")).click()
    sized.page.wait_for_url(re.compile(r"/edit/"))
    fits(sized)
    sized.page.get_by_label("Titel").fill(f"Holkar, ändrad {sized.label}")
    sized.page.get_by_role("button", name="Spara ändringarna").click()
    sized.page.wait_for_url(re.compile(r"/doc/"))
    assert (
        sized.page.get_by_role("heading", level=1).inner_text() == f"Holkar, ändrad {sized.label}"
    )
    assert "Version 2" in sized.page.locator(".versions").inner_text()
    fits(sized)
    sized.screenshot(f"edited-{sized.label}")


def test_an_author_restores_an_earlier_version(sized, live_kb):
    source = upload(live_kb, f"Holkar i original {sized.label}")
    live_kb.documents.store.edit(source, by="karin.sjoberg", title="Fel rubrik")
    sized.log_in()
    sized.goto(f"/doc/{source}")
    sized.page.get_by_role("button", name="Återställ Version 1").click()
    sized.page.wait_for_url(re.compile(r"/doc/"))
    assert (
        sized.page.get_by_role("heading", level=1).inner_text()
        == f"Holkar i original {sized.label}"
    )
    assert (
        "Version 1 är återställd som version 3"
        in sized.page.get_by_role("status").first.inner_text()
    )
    fits(sized)


def test_an_author_deletes_her_material_and_undoes_it(sized, live_kb):
    title = f"Holkar att ta bort {sized.label}"
    source = upload(live_kb, title)
    sized.log_in()
    sized.goto(f"/doc/{source}")
    sized.page.get_by_role("button", name=re.compile("^Ta bort")).click()
    sized.page.wait_for_url(re.compile(r"/deleted/"))
    fits(sized)
    sized.screenshot(f"deleted-{sized.label}")
    assert live_kb.indexes.catalog().by_source.get(source) is None
    sized.page.get_by_role("button", name="Ångra borttagningen").click()
    sized.page.wait_for_url(re.compile(r"/doc/"))
    assert sized.page.get_by_role("heading", level=1).inner_text() == title


def test_a_teachers_home_page_shows_her_material_groups_and_the_search_box(sized):
    sized.log_in("karin.sjoberg")
    page = sized.page
    assert page.get_by_label("Vad letar du efter?").is_visible()
    assert page.get_by_role("heading", name="Ditt material och dina reflektioner").is_visible()
    assert page.locator("#recent-heading ~ ul.results li").count() >= 1
    fits(sized)
    sized.screenshot(f"home-{sized.label}")
    page.locator("a[href^='/groups/']").first.click()
    page.wait_for_url(re.compile(r"/groups/"))
    assert page.get_by_role("heading", name="Reflektionerna genom cykeln").is_visible()
    fits(sized)
    sized.screenshot(f"group-{sized.label}")


def test_a_newcomers_home_page_starts_with_where_to_begin(sized):
    sized.log_in("noah.berg")
    page = sized.page
    start = page.locator("section.start-here")
    assert "Börja här" in start.inner_text()
    assert start.get_by_role("link", name=re.compile("profil")).is_visible()
    fits(sized)
    sized.screenshot(f"home-newcomer-{sized.label}")


@pytest.mark.parametrize(
    "path",
    [f"/tags/{quote('läsutmaning')}", "/people?q=svenska", "/people/karin.sjoberg/edit"],
    ids=["tag", "people-filter", "profile-edit"],
)
def test_the_new_pages_fit_and_pass_axe(sized, path):
    sized.log_in("karin.sjoberg")
    sized.goto(path)
    fits(sized)
