"""Sharing material: checked by content, stored with safe sources, searchable at once."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from kb.features.share.queries import share_material
from kb.ingest.submit import Refused
from kb.models import Document
from tests.conftest import SAMPLE_BUNDLE
from tests.files import make_docx, make_pdf
from tests.helpers import csrf_token, log_in, make_app, open_kb, post_form


@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "share", SAMPLE_BUNDLE)
    yield kb
    kb.close()


def client_for(kb, person_id: str = "johan.lindqvist"):
    client = make_app(kb).test_client()
    log_in(client, kb, person_id, set_password=False)
    return client


@pytest.fixture
def client(base):
    return client_for(base)


def upload(client, filename: str, data: bytes, **meta):
    fields = {
        "title": "Fladdermusholkar i teknik",
        "subjects": "teknik, biologi",
        "grades": "4-6",
        "tags": "slöjd, natur",
        "language": "sv",
        "visibility": "all",
    }
    fields.update(meta)
    fields["file"] = (io.BytesIO(data), filename)
    return post_form(client, "/share", fields, content_type="multipart/form-data")


def count_documents(kb) -> int:
    with kb.db.read() as session:
        return session.scalar(select(func.count(Document.id)))


def indexed(client) -> None:
    """Wait for the app's background indexer to take in what was just stored."""
    assert client.application.extensions["kb"].indexes.wait_indexed(timeout=60)


def test_a_shared_pdf_is_searchable_by_a_word_from_inside_it_once_indexed(client):
    response = upload(
        client,
        "holkar.pdf",
        make_pdf("Bygg en holk av furu.", "Ordet pipistrellfladdermus finns inuti."),
    )
    assert response.status_code == 302
    assert re.fullmatch(
        r"/doc/material/uploads/fladdermusholkar-i-teknik-[0-9a-f]{6}\.pdf",
        response.headers["Location"],
    )
    indexed(client)
    html = client.get("/?q=pipistrellfladdermus").get_data(as_text=True)
    assert "Fladdermusholkar i teknik" in html


def test_a_shared_file_keeps_its_metadata_and_its_sharer_as_author(base, client):
    upload(client, "holkar.pdf", make_pdf("Holkar."))
    with base.db.read() as session:
        doc = session.scalar(select(Document).where(Document.source.like("material/uploads/%")))
        assert doc.author_ids == ["johan.lindqvist"]
        assert doc.subjects == ["teknik", "biologi"] and doc.tags == ["slöjd", "natur"]
        assert doc.kind == "material" and doc.format == "pdf"
        assert doc.original.data.startswith(b"%PDF-")


def test_a_shared_docx_is_read(client):
    upload(
        client,
        "plan.docx",
        make_docx("Planering med ordet solcellsladdare."),
        title="Plan för solceller",
    )
    indexed(client)
    assert "Plan för solceller" in client.get("/?q=solcellsladdare").get_data(as_text=True)


def test_a_shared_markdown_file_is_rendered_from_its_body(client):
    response = upload(
        client,
        "guide.md",
        b"---\ntitle: ignoreras\n---\n# Guide\n\nText om **holkar**.\n",
        title="Guide om holkar",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>holkar</strong>" in html and "ignoreras" not in html


def test_a_bad_upload_stores_nothing_and_says_why(base, client):
    before = count_documents(base)
    response = upload(client, "holkar.pdf", b"this is plain text, not a PDF at all")
    assert response.status_code == 422
    assert "Filens innehåll stämmer inte med filändelsen" in response.get_data(as_text=True)
    assert count_documents(base) == before


def test_a_file_kb_cannot_read_is_refused_with_the_types_it_can(base, client):
    before = count_documents(base)
    response = upload(client, "program.exe", b"MZ\x90\x00binary")
    assert response.status_code == 422
    assert "md, txt, html, pdf, docx" in response.get_data(as_text=True)
    assert count_documents(base) == before


def test_a_pdf_without_any_text_is_refused(base, client):
    before = count_documents(base)
    response = upload(client, "skannad.pdf", make_pdf())
    assert response.status_code == 422
    assert "inskannad" in response.get_data(as_text=True)
    assert count_documents(base) == before


def test_an_upload_without_a_title_is_refused(base, client):
    before = count_documents(base)
    response = upload(client, "holkar.pdf", make_pdf("Holkar."), title="")
    assert response.status_code == 422
    assert count_documents(base) == before


def test_an_upload_over_the_size_limit_is_refused(base):
    client = make_app(base, MAX_CONTENT_LENGTH=50_000).test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    before = count_documents(base)
    response = upload(client, "stor.txt", b"holk " * 20_000)
    assert response.status_code == 413
    assert count_documents(base) == before


def test_the_users_file_name_never_becomes_the_source(base, client):
    upload(client, "../../../etc/passwd.md", b"# Hej\n\nText.", title="Åäö: Om / och ..")
    with base.db.read() as session:
        sources = session.scalars(
            select(Document.source).where(Document.source.like("material/uploads/%"))
        ).all()
    assert len(sources) == 1
    assert re.fullmatch(r"material/uploads/aao-om-och-[0-9a-f]{6}\.md", sources[0])


def test_two_uploads_with_the_same_title_get_different_sources(base, client):
    upload(client, "a.pdf", make_pdf("Ett."))
    upload(client, "b.pdf", make_pdf("Två."))
    with base.db.read() as session:
        sources = sorted(
            session.scalars(
                select(Document.source).where(Document.source.like("material/uploads/%"))
            ).all()
        )
    assert len(set(sources)) == 2
    assert all(
        re.fullmatch(r"material/uploads/fladdermusholkar-i-teknik-[0-9a-f]{6}\.pdf", s)
        for s in sources
    )


def test_an_upload_path_says_nothing_about_a_hidden_upload_of_the_same_title(base, client):
    upload(client, "a.pdf", make_pdf("Ett."), visibility="private")
    other = client_for(base, "karin.sjoberg")
    location = upload(other, "b.pdf", make_pdf("Två."), visibility="all").headers["Location"]
    assert not re.search(r"-2\.pdf$", location)


def test_a_private_upload_is_hidden_from_other_colleagues(base, client):
    response = upload(
        client,
        "hemlig.pdf",
        make_pdf("Ordet kvastfening finns inuti."),
        visibility="private",
        title="Hemlig plan",
    )
    indexed(client)
    assert "Hemlig plan" in client.get("/?q=kvastfening").get_data(as_text=True)
    other = client_for(base, "karin.sjoberg")
    assert "Hemlig plan" not in other.get("/?q=kvastfening").get_data(as_text=True)
    assert other.get(response.headers["Location"]).status_code == 404


def test_the_library_refuses_content_that_does_not_match_the_name(base):
    viewer = base.people.viewer("johan.lindqvist")
    with pytest.raises(Refused) as refused:
        share_material(base, viewer, "x.docx", make_pdf("Holk."), {"title": "X"})
    assert refused.value.code == "mismatch"


def test_the_chosen_file_is_kept_when_the_form_has_a_mistake(base, client):
    response = upload(client, "holkar.pdf", make_pdf("Holkar."), title="", visibility="nobody")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "holkar.pdf är kvar" in page
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', page).group(1)
    again = client.post(
        "/share",
        data={"csrf_token": csrf_token(page), "kept": kept, "title": "Holkar", "visibility": "all"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302
    assert (
        base.indexes.catalog().by_source[again.headers["Location"].split("/doc/", 1)[1]].title
        == "Holkar"
    )


def test_a_kept_file_is_only_for_the_colleague_who_sent_it(base, client):
    page = upload(client, "holkar.pdf", make_pdf("Holkar."), visibility="nobody").get_data(
        as_text=True
    )
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', page).group(1)
    other = client_for(base, "elin.forsberg")
    form = other.get("/share").get_data(as_text=True)
    response = other.post(
        "/share",
        data={"csrf_token": csrf_token(form), "kept": kept, "title": "Stulen", "visibility": "all"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_the_title_is_taken_from_the_files_own_heading(base, client):
    response = upload(client, "holkar.md", b"# Bygg en holk\n\nText.", title="")
    source = response.headers["Location"].split("/doc/", 1)[1]
    assert base.indexes.catalog().by_source[source].title == "Bygg en holk"


def test_co_authors_chosen_on_the_share_form_are_authors(base, client):
    response = upload(client, "holkar.md", b"# Holk\n\nText.", coauthors=["elin.forsberg"])
    source = response.headers["Location"].split("/doc/", 1)[1]
    assert base.indexes.catalog().by_source[source].authors == ("johan.lindqvist", "elin.forsberg")


def docx_with_title_heading(title: str, *paragraphs: str) -> bytes:
    """A DOCX whose first line is Word's Title style; its document properties have no title."""
    import docx

    document = docx.Document()
    document.add_heading(title, 0)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_titled_by_its_first_heading_is_shared_with_the_title_left_empty(base, client):
    data = docx_with_title_heading("Mattestigen i skogen", "Stationer med mätning och form.")
    response = upload(client, "mattestig.docx", data, title="")
    assert response.status_code == 302
    source = response.headers["Location"].split("/doc/", 1)[1]
    assert base.indexes.catalog().by_source[source].title == "Mattestigen i skogen"


def test_a_missing_title_is_said_at_the_title_field(base, client):
    response = upload(client, "holkar.docx", make_docx("bara en rad brödtext"), title="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('<div class="field has-error">') :]
    field = field[: field.index("</div>")]
    assert 'id="title-error"' in field and "Skriv en titel." in field
    assert 'aria-invalid="true"' in field


def test_a_grade_typed_as_a_school_year_joins_its_stage(base, client):
    response = upload(client, "holkar.md", b"# Holk\n\nText.", grades="åk 5")
    source = response.headers["Location"].split("/doc/", 1)[1]
    assert base.indexes.catalog().by_source[source].grades == ("4-6",)
