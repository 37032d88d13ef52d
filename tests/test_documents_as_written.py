"""Documents as written: HTML and DOCX keep their structure, PDFs show page images, safely."""

from __future__ import annotations

import io

import pytest

from kb.ingest.formats import docx, html
from kb.text.markup import clean_html, settle_headings
from kb.text.pages import drop_page_furniture, reflow
from tests.files import make_pdf
from tests.helpers import logged_in_client, open_kb

HOSTILE = [
    '<script>alert("x")</script><p>kvar</p>',
    '<img src="x" onerror="alert(1)"><p onclick="alert(2)">kvar</p>',
    '<a href="javascript:alert(1)">kvar</a>',
    '<a href=" JaVaScRiPt:alert(1)">kvar</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">kvar</a>',
    '<svg onload="alert(1)"><script>alert(2)</script><a href="#">x</a></svg><p>kvar</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math><p>kvar</p>',
    '<iframe src="https://evil.example"></iframe><p>kvar</p>',
    '<object data="evil.swf"></object><embed src="evil.swf"><p>kvar</p>',
    "<style>body { background: url(https://evil.example/x) }</style><p>kvar</p>",
    '<p style="background: url(https://evil.example/x)">kvar</p>',
    '<link rel="stylesheet" href="https://evil.example/x.css"><p>kvar</p>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example"><p>kvar</p>',
    '<base href="https://evil.example/"><p>kvar</p>',
    '<form action="https://evil.example"><input name="pw"><button>Go</button></form><p>kvar</p>',
    '<p id="main" class="site-header">kvar</p>',
    "<p>kvar<!-- <script>alert(1)</script> --></p>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">x</p></noscript><p>kvar</p>',
    "<template><script>alert(1)</script></template><p>kvar</p>",
]
# What must never be in what a page shows of a document.
EXECUTABLE = (
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "data:",
    "<svg",
    "<math",
    "<iframe",
    "<object",
    "<embed",
    "<style",
    "style=",
    "url(",
    "<link",
    "<meta",
    "<base",
    "<form",
    "<input",
    "<img",
    'id="',
    'class="',
    "alert(",
)


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    for marker in EXECUTABLE:
        assert marker not in lowered, (marker, html)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_html_loses_everything_that_could_run_or_load(hostile):
    shown = html.FORMAT.html(f"<html><body>{hostile}</body></html>".encode())
    assert_harmless(shown)
    assert "kvar" in shown or "x" in shown


def test_an_html_file_keeps_its_headings_lists_and_tables():
    shown = html.FORMAT.html(
        b"<h1>Titel</h1><h2>Del</h2><ul><li>ett</li><li>tv\xc3\xa5</li></ul>"
        b"<table><tr><th>Namn</th></tr><tr><td>Ada</td></tr></table>"
    )
    assert "<h2>Del</h2>" in shown
    assert "<ul><li>ett</li><li>två</li></ul>" in shown
    assert "<th>Namn</th>" in shown and "<td>Ada</td>" in shown


def test_links_in_a_document_are_kept_but_cannot_follow_the_reader_home():
    shown = clean_html('<a href="https://skolverket.se">Skolverket</a>')
    assert 'href="https://skolverket.se"' in shown
    assert 'rel="noopener noreferrer nofollow"' in shown


def test_the_documents_own_copy_of_its_title_is_not_shown_twice():
    assert settle_headings("<h1>Mallar</h1><h2>Mall 1</h2>", "Mallar") == "<h2>Mall 1</h2>"


def test_a_document_h1_that_is_not_the_title_moves_under_the_page_title():
    assert settle_headings("<h1>Inledning</h1><h2>Del</h2>", "Mallar") == (
        "<h2>Inledning</h2><h3>Del</h3>"
    )


def make_word(hostile_link: str = "https://skolverket.se") -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Exit tickets", 0)
    document.add_heading("Mallar", 1)
    document.add_paragraph("<script>alert(1)</script> är text, inget annat.")
    document.add_paragraph("Första punkten", style="List Bullet")
    document.add_paragraph("Andra punkten", style="List Bullet")
    document.add_paragraph("Steg ett", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells, ("Mall", "Ämne"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text = "3-2-1"
    table.rows[1].cells[1].text = "Matematik"
    paragraph = document.add_paragraph()
    part = document.part
    rel = part.relate_to(
        hostile_link,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "länken"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_keeps_its_headings_lists_and_tables():
    shown = docx.FORMAT.html(make_word())
    assert "<h1>Exit tickets</h1>" in shown and "<h2>Mallar</h2>" in shown
    assert "<ul><li>Första punkten</li><li>Andra punkten</li></ul>" in shown
    assert "<ol><li>Steg ett</li></ol>" in shown
    assert '<thead><tr><th scope="col"><strong>Mall</strong></th>' in shown
    assert "<td>3-2-1</td><td>Matematik</td>" in shown
    assert 'href="https://skolverket.se"' in shown


def test_a_docx_with_hostile_text_and_links_shows_nothing_that_runs():
    shown = docx.FORMAT.html(make_word("javascript:alert(1)"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; är text" in shown
    assert "javascript:" not in shown and "<script" not in shown


def test_page_numbers_and_running_headers_leave_a_pdfs_text():
    pages = drop_page_furniture(
        ["Rapport 2025\nSida 1 av 2\nFörsta sidans text.", "Rapport 2025\nSida 2 av 2\nMer text."]
    )
    assert pages == ["Första sidans text.", "Mer text."]


def test_a_line_inside_a_page_that_looks_like_a_number_stays():
    assert drop_page_furniture(["Rubrik\nIntro\n42\nmitten\nslut\nmer"]) == [
        "Rubrik\nIntro\n42\nmitten\nslut\nmer"
    ]


def test_lines_a_pdf_wrapped_are_joined_and_headings_and_rows_kept():
    text = "En lång mening som bröts av pdf:en mitt i\nflödet här.\nRubrik\nA  1\nB  2"
    assert (
        reflow(text) == "En lång mening som bröts av pdf:en mitt i flödet här.\nRubrik\nA  1\nB  2"
    )


# ---------------------------------------------------------------- on the page
@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A bundle with an HTML file, a DOCX with a table, a PDF for all and a private PDF."""
    from tests.conftest import BundleWriter

    root = tmp_path_factory.mktemp("written")
    bundle = BundleWriter(root / "bundle")
    bundle.write("material/a/lista.html", "<h1>Lista</h1><ul><li>ett</li><li>två</li></ul>")
    bundle.write(
        "material/a/lista.html.yaml", "title: Lista\nauthors: [anna.lind]\ntags: [läs/skriv]\n"
    )
    bundle.write("material/a/mallar.docx", make_word())
    bundle.write("material/a/mallar.docx.yaml", "title: Exit tickets\nauthors: [anna.lind]\n")
    bundle.write("material/b/alla.pdf", make_pdf("Alla", "Sida 1", "Till alla."))
    bundle.write("material/b/alla.pdf.yaml", "title: Alla\nauthors: [anna.lind]\n")
    bundle.write("material/b/privat.pdf", make_pdf("Hemligt."))
    bundle.write(
        "material/b/privat.pdf.yaml", "title: Privat\nauthors: [anna.lind]\nvisibility: private\n"
    )
    base = open_kb(root / "instance", bundle.root, people=("anna.lind", "per.ek"))
    yield base
    base.close()


def test_an_html_list_and_a_docx_table_show_as_such_on_their_pages(written):
    client = logged_in_client(written, "per.ek")
    listing = client.get("/doc/material/a/lista.html").get_data(as_text=True)
    assert "<ul><li>ett</li><li>två</li></ul>" in listing
    assert listing.count("<h1") == 1
    table = client.get("/doc/material/a/mallar.docx").get_data(as_text=True)
    assert "<td>3-2-1</td><td>Matematik</td>" in table


def test_the_source_is_named_by_file_and_folder_and_tags_link_to_their_pages(written):
    page = logged_in_client(written, "per.ek").get("/doc/material/a/lista.html")
    html = page.get_data(as_text=True)
    assert "download>lista.html</a>" in html
    assert "i mappen a" in html
    assert 'href="/tags/l%C3%A4s%2Fskriv"' in html


def test_a_pdf_page_shows_its_image_and_its_text_without_the_page_header(written):
    client = logged_in_client(written, "per.ek")
    html = client.get("/doc/material/b/alla.pdf").get_data(as_text=True)
    assert '<img src="/doc-page/1/material/b/alla.pdf"' in html
    assert '<p class="plain">Till alla.</p>' in html  # no title line, no page header
    image = client.get("/doc-page/1/material/b/alla.pdf")
    assert image.status_code == 200
    assert image.data.startswith(b"\x89PNG")
    assert image.headers["Cache-Control"] == "private, max-age=3600"


def test_the_page_image_is_cached_in_the_instance_folder(written):
    logged_in_client(written, "per.ek").get("/doc-page/1/material/b/alla.pdf")
    assert list((written.settings.instance_path / "previews").rglob("page-1.png"))


def test_a_colleague_who_may_not_open_a_pdf_gets_404_for_its_pages_as_for_a_missing_one(written):
    client = logged_in_client(written, "per.ek")
    hidden = client.get("/doc-page/1/material/b/privat.pdf")
    missing = client.get("/doc-page/1/material/b/finns-inte.pdf")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True).replace("privat", "X") == missing.get_data(
        as_text=True
    ).replace("finns-inte", "X")


def test_the_author_sees_the_pages_of_her_private_pdf(written):
    client = logged_in_client(written, "anna.lind")
    assert client.get("/doc-page/1/material/b/privat.pdf").status_code == 200
    assert client.get("/doc-page/2/material/b/privat.pdf").status_code == 404
