"""What colleagues do, done in a real browser: log in, search, share, reflect, ask, look at risk."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.browser


def make_pdf(*lines: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for n, line in enumerate(lines):
        pdf.drawString(72, 800 - 20 * n, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_an_anonymous_visitor_lands_on_the_log_in_page(visit):
    visit.goto("/risk")
    assert re.search(r"/login\?next=%2Frisk$", visit.page.url)
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Logga in"


def test_a_colleague_logs_in_searches_and_opens_a_hit(visit):
    visit.log_in()
    page = visit.page
    page.get_by_label("Vad letar du efter?").fill("exit tickets")
    page.get_by_label("Vad letar du efter?").press("Enter")
    page.wait_for_url(re.compile(r"/\?q=exit\+tickets"))
    first = page.locator("ol.results h3 a").first
    title = first.inner_text()
    assert page.locator("ol.results mark").count() > 0
    first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_a_colleague_can_search_with_the_keyboard_alone(colleague):
    page = colleague.page
    colleague.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    for _ in range(30):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("boksamtal")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=boksamtal"))
    assert "träff" in page.locator("#results-heading").inner_text()


def test_the_skip_link_moves_the_focus_to_the_content(colleague):
    page = colleague.page
    colleague.goto("/people")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_shared_pdf_is_found_by_a_word_from_inside_it(colleague, live_kb):
    page = colleague.page
    colleague.goto("/share")
    page.get_by_label("Fil", exact=True).set_input_files(
        {
            "name": "holkar.pdf",
            "mimeType": "application/pdf",
            "buffer": make_pdf(
                "Bygg holkar med eleverna.", "Ordet pipistrellfladdermus finns inuti."
            ),
        }
    )
    page.get_by_label("Titel").fill("Fladdermusholkar i teknik")
    page.get_by_label("Ämnen").fill("teknik, biologi")
    page.get_by_label("Taggar").fill("holkar, natur")
    page.get_by_role("button", name="Dela materialet").click()
    page.wait_for_url(
        re.compile(r"/doc/material/uploads/fladdermusholkar-i-teknik-[0-9a-f]+\.pdf$")
    )
    assert page.get_by_role("status").first.inner_text().startswith("Tack!")
    assert "indexeras" in page.get_by_role("status").first.inner_text()
    assert live_kb.indexes.wait_indexed(60)  # the upload is indexed in the background
    colleague.goto("/?q=pipistrellfladdermus")
    hit = page.locator("ol.results h3 a").first
    assert hit.inner_text() == "Fladdermusholkar i teknik"


def test_a_bad_upload_says_why_in_the_browser(colleague):
    page = colleague.page
    colleague.goto("/share")
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "inte-en.pdf", "mimeType": "application/pdf", "buffer": b"just some text"}
    )
    page.get_by_label("Titel").fill("Trasig fil")
    page.get_by_role("button", name="Dela materialet").click()
    assert "stämmer inte med filändelsen" in page.get_by_role("alert").inner_text()


def test_a_written_reflection_shows_under_what_we_have_learned(colleague, live_kb):
    page = colleague.page
    colleague.goto("/reflect")
    page.get_by_label("Rubrik").fill("Tekniklaget: holkar i slöjden")
    page.get_by_label("Lärgrupp").fill("Tekniklaget 4–6")
    page.get_by_label("Datum för träffen").fill("2026-10-14")
    page.get_by_label("Steg i cykeln").select_option("genomföra")
    page.get_by_label("Noah Berg").check()
    page.get_by_label("Vad gjorde vi?").fill("Vi byggde holkar med åk 5.")
    page.get_by_label("Vad gick bra?").fill("Alla kom igång.")
    page.get_by_label("Vad gick mindre bra?").fill("Skruvarna tog slut.")
    page.get_by_label("Vad tar vi med oss?").fill("- Köp skruv till alla holkar i förväg.")
    page.get_by_role("button", name="Spara reflektionen").click()
    page.wait_for_url(re.compile(r"/doc/reflections/2026-10-14-tekniklaget-4-6-[0-9a-f]+\.md$"))
    assert live_kb.indexes.wait_indexed(60)  # the reflection is indexed in the background
    page.get_by_role("link", name="Vad har vi lärt oss?").click()
    page.get_by_label("Vad har vi lärt oss om …").fill("holkar")
    page.get_by_role("button", name="Visa").click()
    group = page.locator("section.group").filter(has_text="Tekniklaget 4–6")
    assert "Köp skruv till alla holkar i förväg." in group.inner_text()
    assert "Steg: genomföra" in group.inner_text()


def test_a_colleague_looks_up_who_knows_about_chess(colleague):
    page = colleague.page
    colleague.goto("/experts")
    page.get_by_label("Vem kan om …").fill("schack")
    page.get_by_role("button", name="Hitta kollegor").click()
    first = page.locator("ol.experts > li").first
    assert first.locator("h3").inner_text() == "Dragan Petrović"
    first.get_by_role("link", name="Schack i matematikundervisningen").click()
    page.wait_for_url(re.compile(r"/doc/material/schack/schack-i-matematiken\.pdf$"))


def test_the_risk_page_shows_the_chart_and_what_goes_if_someone_leaves(colleague):
    page = colleague.page
    colleague.goto("/risk")
    assert page.locator(".bars rect.bar-single").count() >= 1
    assert page.locator("table.data tbody tr").count() >= 10
    page.get_by_label("Om den här kollegan slutar").select_option(label="Dragan Petrović")
    page.get_by_role("button", name="Visa").click()
    assert "Om Dragan Petrović slutar" in page.locator("main").inner_text()
    assert "kunskapen försvinner" in page.locator("main").inner_text()


def test_logging_out_ends_the_session(visit):
    visit.log_in("elin.forsberg")
    visit.page.get_by_role("button", name="Logga ut").click()
    visit.page.wait_for_url(re.compile(r"/login$"))
    visit.goto("/people")
    assert "/login?next=" in visit.page.url
