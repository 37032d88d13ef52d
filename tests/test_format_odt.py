"""OpenDocument text: shared or in a bundle, searchable, shown with its headings, lists and
tables, titled by its metadata or first heading; hostile ones refused like any other format.

The documents are packaged here as LibreOffice writes them: `mimetype` first and stored,
then META-INF/manifest.xml, content.xml, styles.xml and meta.xml.
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

MIMETYPE = b"application/vnd.oasis.opendocument.text"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)
BODY = """
<text:h text:style-name="Heading_20_1" text:outline-level="1">Läsloggen i årskurs 4</text:h>
<text:p text:style-name="P1">Eleverna skriver efter <text:span text:style-name="T1">varje</text:span>
kapitel.</text:p>
<text:h text:outline-level="2">Så gör vi</text:h>
<text:list text:style-name="L1">
  <text:list-item><text:p>Läs kapitlet</text:p></text:list-item>
  <text:list-item><text:p>Skriv tre rader om bokmalsdraken</text:p>
    <text:list><text:list-item><text:p>Vad hände?</text:p></text:list-item></text:list>
  </text:list-item>
</text:list>
<text:list text:style-name="L2">
  <text:list-item><text:p>Först</text:p></text:list-item>
</text:list>
<table:table table:name="Plan">
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-header-rows><table:table-row>
    <table:table-cell><text:p>Vecka</text:p></table:table-cell>
    <table:table-cell><text:p>Bok</text:p></table:table-cell>
  </table:table-row></table:table-header-rows>
  <table:table-row>
    <table:table-cell><text:p>1</text:p></table:table-cell>
    <table:table-cell><text:p>Kapitelboken</text:p></table:table-cell>
  </table:table-row>
</table:table>
<text:p>Läs mer hos <text:a xlink:href="https://skolverket.se">Skolverket</text:a>.</text:p>
"""
STYLES = """
<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/>
</style:style>
<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1"/></text:list-style>
<text:list-style style:name="L2"><text:list-level-style-number text:level="1"/></text:list-style>
"""


def make_odt(body: str = BODY, title: str | None = "Läslogg", prolog: str = "") -> bytes:
    """Return an ODT holding `body` (text:* elements) and, in meta.xml, `title`."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NAMESPACES}>'
        f"<office:automatic-styles>{STYLES}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NAMESPACES}><office:meta>'
        + (f"<dc:title>{title}</dc:title>" if title else "")
        + "<meta:generator>LibreOffice/24.2</meta:generator></office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE.decode()}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for name, text in (
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
            ("styles.xml", f'<?xml version="1.0"?><office:document-styles {NAMESPACES}/>'),
            ("meta.xml", meta),
        ):
            package.writestr(name, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def odt_bomb() -> bytes:
    """An ODT whose content.xml inflates from about 1 MB to 1 GB."""
    data, crc = deflated_zeros(GB)
    kept = [p for p in parts(make_odt()) if p[0] != "content.xml"]
    return zip_package(kept, ("content.xml", data, GB, crc))


XXE = '<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def odt_xxe(padding: int = 0) -> bytes:
    """An ODT whose content.xml pulls in /etc/passwd, its DOCTYPE after `padding` bytes."""
    prolog = f"<!-- {'x' * padding} -->{XXE}" if padding else XXE
    return make_odt(body="<text:p>Hemligt: &xxe;</text:p>", prolog=prolog)


# ---------------------------------------------------------------- read
def test_headings_paragraphs_lists_and_tables_are_read_in_order():
    text = extract_text_safely("odt", make_odt())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "Läsloggen i årskurs 4"
    assert "Eleverna skriver efter varje kapitel." in " ".join(text.split())
    for line in (
        "Skriv tre rader om bokmalsdraken",
        "Vad hände?",
        "Vecka | Bok",
        "1 | Kapitelboken",
    ):
        assert line in lines
    assert lines.index("Så gör vi") < lines.index("Läs kapitlet") < lines.index("Vecka | Bok")


def test_a_document_is_titled_by_its_metadata():
    assert title_safely("odt", make_odt(title="Läslogg för åk 4")) == "Läslogg för åk 4"


def test_a_document_without_a_metadata_title_takes_its_first_heading():
    assert title_safely("odt", make_odt(title=None)) == "Läsloggen i årskurs 4"


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
    fields = {"title": title, "visibility": "all", "language": "sv"}
    fields["file"] = (io.BytesIO(data), filename)
    return post_form(client, "/share", fields, content_type="multipart/form-data")


def count_documents(kb) -> int:
    with kb.db.read() as session:
        return session.scalar(select(func.count(Document.id)))


def test_a_shared_document_is_found_by_a_word_from_its_list(client):
    response = upload(client, "logg.odt", make_odt())
    assert response.status_code == 302
    assert re.fullmatch(
        r"/doc/material/uploads/laslogg-[0-9a-f]{6}\.odt", response.headers["Location"]
    )
    assert client.application.extensions["kb"].indexes.wait_indexed(timeout=60)
    assert "Läslogg" in client.get("/?q=bokmalsdraken").get_data(as_text=True)


def test_a_shared_document_is_shown_with_its_headings_lists_and_tables(client):
    html = client.get(upload(client, "logg.odt", make_odt()).headers["Location"]).get_data(
        as_text=True
    )
    assert "<h2>Läsloggen i årskurs 4</h2>" in html and "<h3>Så gör vi</h3>" in html
    assert "<strong>varje</strong>" in html
    assert "<ul><li>Läs kapitlet</li><li>Skriv tre rader om bokmalsdraken<ul><li>Vad hände?" in html
    assert "<ol><li>Först</li></ol>" in html
    assert '<th scope="col">Vecka</th>' in html and "<td>Kapitelboken</td>" in html
    assert 'href="https://skolverket.se"' in html


def test_the_share_form_offers_opendocument(client):
    html = client.get("/share").get_data(as_text=True)
    assert "OpenDocument (.odt)" in html and ".odt" in re.search(r'accept="([^"]+)"', html)[1]


# ---------------------------------------------------------------- in a bundle
def test_a_document_in_a_bundle_is_found_by_a_word_from_its_list(make_kb, bundle):
    bundle.write("material/svenska/logg.odt", make_odt())
    bundle.write("material/svenska/logg.odt.yaml", "title: Läslogg\nauthors: [anna.lind]\n")
    kb = make_kb()
    report = kb.documents.ingest(bundle.root)
    assert report.material.added == 1 and not [p for p in report.problems if p.refused]
    found = kb.finder.search(
        SearchRequest(text="bokmalsdraken", viewer=Viewer(person_id="per.ek"), method="keyword")
    )
    assert [h.source for h in found.hits] == ["material/svenska/logg.odt"]


# ---------------------------------------------------------------- hostile
def test_an_odt_zip_bomb_is_refused_before_it_is_unpacked():
    error, seconds = refused("odt", odt_bomb())
    assert error.reason == "bomb" and "zip bomb" in str(error)
    assert seconds < 1


def test_an_odt_declaring_an_external_entity_is_refused():
    error, _ = refused("odt", odt_xxe())
    assert error.reason == "damaged"
    assert "content.xml" in str(error) and "DOCTYPE" in str(error)


def test_an_entity_hidden_behind_a_long_comment_is_refused_by_the_parser_itself():
    error, _ = refused("odt", odt_xxe(padding=10_000))  # past what the server looks at
    assert error.reason == "damaged" and "DOCTYPE" in str(error)
    assert "root:" not in str(error)


@pytest.mark.parametrize(
    ("make", "really"),
    [
        (lambda: make_docx("Hej."), "it is really a Word document (DOCX)"),
        (lambda: make_pdf("Hej."), "it is really a PDF"),
        (
            lambda: zip_package([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]),
            "it is really an OpenDocument spreadsheet (ODS)",
        ),
    ],
    ids=["docx", "pdf", "ods"],
)
def test_a_file_named_odt_that_is_no_text_document_is_refused_as_what_it_is(make, really):
    error, _ = refused("odt", make())
    assert error.reason == "mismatch"
    assert str(error).startswith("is not an OpenDocument text (ODT)") and really in str(error)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (odt_bomb, "Filen gick inte att läsa: den packas upp till mycket mer"),
        (odt_xxe, "Filen gick inte att läsa: den verkar vara skadad"),
        (lambda: make_pdf("Hej."), "Filens innehåll stämmer inte med filändelsen (odt/pdf)"),
    ],
    ids=["zip-bomb", "xxe", "pdf-named-odt"],
)
def test_a_hostile_odt_on_the_share_form_is_refused_and_nothing_stored(base, client, make, says):
    before = count_documents(base)
    response = upload(client, "logg.odt", make(), title="Logg")
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert count_documents(base) == before
