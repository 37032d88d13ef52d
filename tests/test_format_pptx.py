"""PowerPoint presentations: shared or in a bundle, searchable by any slide, shown slide by
slide, titled by their first slide; hostile ones refused like any other format.

The presentations are made by python-pptx itself, here, as a teacher's PowerPoint would be.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from kb.access import Viewer
from kb.ingest.sandbox import extract_text_safely, title_safely
from kb.models import Document
from kb.search.query.hybrid import SearchRequest
from tests.conftest import SAMPLE_BUNDLE
from tests.files import make_docx, make_pdf
from tests.helpers import log_in, make_app, open_kb, post_form
from tests.test_hostile import GB, deflated_zeros, refused, zip_package


def presentation(core_title: str | None = None, first_title: str = "Fladdermöss i teknik") -> bytes:
    """A lesson of three slides: a title slide, bullets with a table and notes, a last slide."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    if core_title:
        deck.core_properties.title = core_title
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = first_title
    first.placeholders[1].text = "En lektion i årskurs 5"
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Bygg en holk"
    body = second.placeholders[1].text_frame
    body.text = "Såga brädor av furu"
    detail = body.add_paragraph()
    detail.text = "Holken passar en pipistrellfladdermus"
    detail.level = 1
    shape = second.shapes.add_table(2, 2, Inches(1), Inches(4.5), Inches(6), Inches(1))
    for cell, text in zip(
        shape.table.iter_cells(), ("Vecka", "Moment", "1", "Spika ihop"), strict=True
    ):
        cell.text = text
    second.notes_slide.notes_text_frame.text = "Kom ihåg skyddsglasögonen."
    third = deck.slides.add_slide(deck.slide_layouts[5])
    third.shapes.title.text = "Häng upp holken"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def untitled_presentation(core_title: str) -> bytes:
    """One blank slide with a text box, and a title only in the document properties."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    deck.core_properties.title = core_title
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1)).text = "Bara text."
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def pptx_bomb() -> bytes:
    """A presentation whose first slide inflates from about 1 MB to 1 GB."""
    data, crc = deflated_zeros(GB)
    kept = [p for p in parts(presentation()) if p[0] != "ppt/slides/slide1.xml"]
    return zip_package(kept, ("ppt/slides/slide1.xml", data, GB, crc))


def pptx_xxe() -> bytes:
    """A presentation whose first slide pulls in the server's /etc/passwd as an entity."""
    slide = (
        b'<?xml version="1.0"?><!DOCTYPE p:sld [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree>'
        b"<p:sp><p:txBody><a:p><a:r><a:t>&xxe;</a:t></a:r></a:p></p:txBody></p:sp>"
        b"</p:spTree></p:cSld></p:sld>"
    )
    return zip_package(
        [(n, slide if n == "ppt/slides/slide1.xml" else d) for n, d in parts(presentation())]
    )


# ---------------------------------------------------------------- read
def test_the_text_of_every_slide_is_read_titles_bullets_tables_and_notes():
    text = extract_text_safely("pptx", presentation())
    for words in (
        "Fladdermöss i teknik",
        "En lektion i årskurs 5",
        "Bygg en holk",
        "Holken passar en pipistrellfladdermus",
        "Vecka | Moment",
        "1 | Spika ihop",
        "Kom ihåg skyddsglasögonen.",
        "Häng upp holken",
    ):
        assert words in text
    assert text.index("Bygg en holk") < text.index("Häng upp holken")


def test_a_presentation_is_titled_by_its_first_slide():
    assert title_safely("pptx", presentation(core_title="Gammal titel")) == "Fladdermöss i teknik"


def test_a_presentation_without_slide_titles_takes_the_title_of_its_properties():
    assert title_safely("pptx", untitled_presentation("Holkar i slöjden")) == "Holkar i slöjden"


def test_powerpoints_own_default_title_is_no_title():
    assert title_safely("pptx", untitled_presentation("PowerPoint-presentation")) is None


# ---------------------------------------------------------------- shared on the web
@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "share", SAMPLE_BUNDLE)
    yield kb
    kb.close()


@pytest.fixture
def client(base):
    client = make_app(base).test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    return client


def upload(client, filename: str, data: bytes, title: str = ""):
    return post_form(
        client,
        "/share",
        {
            "title": title,
            "visibility": "all",
            "language": "sv",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def count_documents(kb) -> int:
    with kb.db.read() as session:
        return session.scalar(select(func.count(Document.id)))


def test_a_shared_presentation_is_found_by_a_word_on_its_second_slide(client):
    response = upload(client, "holkar.pptx", presentation())
    assert response.status_code == 302
    assert re.fullmatch(
        r"/doc/material/uploads/fladdermoss-i-teknik-[0-9a-f]{6}\.pptx",
        response.headers["Location"],
    )
    assert client.application.extensions["kb"].indexes.wait_indexed(timeout=60)
    assert "Fladdermöss i teknik" in client.get("/?q=pipistrellfladdermus").get_data(as_text=True)


def test_a_shared_presentation_left_without_a_title_takes_its_first_slides(base, client):
    response = upload(client, "holkar.pptx", presentation(core_title="Gammal titel"))
    source = response.headers["Location"].split("/doc/", 1)[1]
    assert base.indexes.catalog().by_source[source].title == "Fladdermöss i teknik"


def test_a_shared_presentation_is_shown_as_written_one_slide_after_another(client):
    page = client.get(upload(client, "holkar.pptx", presentation()).headers["Location"])
    html = page.get_data(as_text=True)
    slides = [html.index(f"<h2>Bild {n}</h2>") for n in (1, 2, 3)]
    assert slides == sorted(slides)
    second = html[slides[1] : slides[2]]
    assert "<h3>Bygg en holk</h3>" in second
    assert "<li>Holken passar en pipistrellfladdermus</li>" in second
    assert '<th scope="col">Moment</th>' in second and "<td>Spika ihop</td>" in second
    assert "Kom ihåg skyddsglasögonen." in second
    assert "<h3>Häng upp holken</h3>" in html[slides[2] :]


def test_the_share_form_offers_powerpoint(client):
    html = client.get("/share").get_data(as_text=True)
    assert "PowerPoint (.pptx)" in html and ".pptx" in re.search(r'accept="([^"]+)"', html)[1]


# ---------------------------------------------------------------- in a bundle
def test_a_presentation_in_a_bundle_is_found_by_a_word_on_its_second_slide(make_kb, bundle):
    bundle.write("material/teknik/holkar.pptx", presentation())
    bundle.write("material/teknik/holkar.pptx.yaml", "title: Holkar\nauthors: [anna.lind]\n")
    kb = make_kb()
    report = kb.documents.ingest(bundle.root)
    assert report.material.added == 1 and not [p for p in report.problems if p.refused]
    found = kb.finder.search(
        SearchRequest(
            text="pipistrellfladdermus", viewer=Viewer(person_id="per.ek"), method="keyword"
        )
    )
    assert [h.source for h in found.hits] == ["material/teknik/holkar.pptx"]


# ---------------------------------------------------------------- hostile
def test_a_presentation_zip_bomb_is_refused_before_it_is_unpacked():
    error, seconds = refused("pptx", pptx_bomb())
    assert error.reason == "bomb" and "zip bomb" in str(error)
    assert seconds < 1


def test_a_presentation_declaring_an_external_entity_is_refused():
    error, _ = refused("pptx", pptx_xxe())
    assert error.reason == "damaged"
    assert "ppt/slides/slide1.xml" in str(error) and "DOCTYPE" in str(error)


@pytest.mark.parametrize(
    ("make", "really"),
    [
        (lambda: make_docx("Hej."), "it is really a Word document (DOCX)"),
        (lambda: make_pdf("Hej."), "it is really a PDF"),
        (lambda: zip_package([("ppt/slides/slide1.xml", b"<x/>")]), "it is really a zip archive"),
    ],
    ids=["docx", "pdf", "plain-zip"],
)
def test_a_file_named_pptx_that_is_no_presentation_is_refused_as_what_it_is(make, really):
    error, _ = refused("pptx", make())
    assert error.reason == "mismatch"
    assert str(error).startswith("is not a PowerPoint presentation (PPTX)") and really in str(error)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (pptx_bomb, "Filen gick inte att läsa: den packas upp till mycket mer"),
        (pptx_xxe, "Filen gick inte att läsa: den verkar vara skadad"),
        (lambda: make_docx("Hej."), "Filens innehåll stämmer inte med filändelsen (pptx/docx)"),
    ],
    ids=["zip-bomb", "xxe", "docx-named-pptx"],
)
def test_a_hostile_presentation_on_the_share_form_is_refused_and_nothing_stored(
    base, client, make, says
):
    before = count_documents(base)
    response = upload(client, "lektion.pptx", make(), title="Lektion")
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert count_documents(base) == before
