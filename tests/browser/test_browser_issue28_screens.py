"""Screens of the pages issue 28 mended, at 1280 and 390 px, each checked for what it must
show: the risk table's risk column and the leave picker, a newcomer's mentor first, the share
form's title error at the field, and a version list that says what changed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
WIDTHS = ("wide", "phone")


@pytest.mark.parametrize("width", WIDTHS)
def test_risk_screens(visit_at, width):
    colleague = visit_at(width)
    colleague.goto("/risk?leaving=dragan.petrovic")
    colleague.page.locator("table.data").scroll_into_view_if_needed()
    assert colleague.page.locator("table.data tbody tr").count() > 0
    colleague.screenshot("issue28-risk-table")
    colleague.page.locator("#whatif-heading").scroll_into_view_if_needed()
    colleague.screenshot("issue28-risk-leaving")


@pytest.mark.parametrize("width", WIDTHS)
def test_mentors_screens(visit_at, live_kb, width):
    from kb.features.mentors.queries import assign, running

    if not any(r.mentee_id == "noah.berg" for r in running(live_kb)):
        assign(live_kb, live_kb.people.viewer("karin.sjoberg"), "johan.lindqvist", "noah.berg")
    colleague = visit_at(width)
    colleague.goto("/newcomers?newcomer=noah.berg")
    colleague.page.locator("#current-mentor").scroll_into_view_if_needed()
    assert colleague.page.locator("#current-mentor").is_visible()
    colleague.screenshot("issue28-mentors")


@pytest.mark.parametrize("width", WIDTHS)
def test_share_error_screens(visit_at, width):
    from tests.files import make_docx

    colleague = visit_at(width)
    colleague.goto("/share")
    page = colleague.page
    page.set_input_files(
        "input[type=file]",
        {
            "name": "rad.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": make_docx("bara en rad brödtext"),
        },
    )
    page.locator("form.stack [type=submit]").click()
    page.wait_for_load_state()
    error = page.locator("#title-error")
    assert error.is_visible()
    error.scroll_into_view_if_needed()
    colleague.screenshot("issue28-share-error")


@pytest.mark.parametrize("width", WIDTHS)
def test_versions_screens(visit_at, live_kb, width):
    from kb.features.edit.queries import edit_document, restore
    from kb.features.share.queries import share_material

    karin = live_kb.people.viewer("karin.sjoberg")
    source = share_material(
        live_kb, karin, "holk.md", b"# Holkar\n\nBygg en holk av gran.", {"title": ""}
    )
    edit_document(live_kb, karin, source, {"title": "Holkar av gran"})
    edit_document(live_kb, karin, source, {"text": "# Holkar\n\nBygg en holk av gran.\n\nI maj."})
    restore(live_kb, karin, source, 2)
    colleague = visit_at(width)
    colleague.goto(f"/doc/{source}")
    versions = colleague.page.locator("ul.versions")
    assert versions.locator(".version-changes").count() == 4
    colleague.screenshots.mkdir(parents=True, exist_ok=True)
    versions.screenshot(path=str(colleague.screenshots / f"issue28-versions{colleague.suffix}.png"))
