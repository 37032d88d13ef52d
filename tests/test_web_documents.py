"""The document page: sanitised rendering, metadata, downloads, and 404 for what is not yours."""

from __future__ import annotations

import re

import pytest

from kb import accounts
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import PASSWORD, logged_in_client

DRAFT = "/doc/material/privat/forsberg-npf-fortbildning-utkast.md"


def test_a_markdown_document_is_rendered_as_html_with_its_metadata(client):
    html = client.get("/doc/reflections/2025-03-12-lasframjande-natverket.md").get_data(
        as_text=True
    )
    assert '<h1 id="doc-title" lang="sv">Läsfrämjande nätverket: uppföljning' in html
    assert "<h3>Vad gick bra?</h3>" in html
    assert "Läsfrämjande nätverket skola–bibliotek" in html
    assert "följa upp" in html


def test_the_authors_link_to_their_profiles(client):
    html = client.get("/doc/reflections/2025-03-12-lasframjande-natverket.md").get_data(
        as_text=True
    )
    for person in ("sofia.ek", "ida.lundgren", "amira.haddad"):
        assert f'href="/people/{person}"' in html


def test_the_document_is_marked_with_its_own_language(client):
    html = client.get("/doc/material/kallkritik/lateral-reading.md").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert '<div class="doc-body" lang="en">' in html


def test_a_private_draft_is_404_for_a_colleague_who_is_not_its_author(client):
    assert client.get(DRAFT).status_code == 404


def test_a_private_draft_opens_for_its_author(shared_kb):
    response = logged_in_client(shared_kb, "elin.forsberg").get(DRAFT)
    assert response.status_code == 200
    assert "Utkast: plan för NPF-fortbildning" in response.get_data(as_text=True)


def same_answer(client, forbidden: str, missing: str) -> None:
    """Assert both paths get the same status and, but for the path itself, the same page."""
    a, b = client.get(forbidden), client.get(missing)
    assert a.status_code == b.status_code == 404
    assert page_text(a, forbidden) == page_text(b, missing)


def page_text(response, path: str) -> str:
    """The page with its path and its CSRF tokens (signed with the second) taken out."""
    html = response.get_data(as_text=True).replace(path, "PATH")
    return re.sub(r'(csrf_token" type="hidden" value=")[^"]+', r"\1TOKEN", html)


def test_a_forbidden_document_answers_exactly_like_a_missing_one(client):
    same_answer(client, DRAFT, "/doc/material/privat/finns-inte.md")


def test_a_forbidden_download_answers_exactly_like_a_missing_one(client):
    same_answer(
        client, DRAFT.replace("/doc/", "/download/"), "/download/material/privat/finns-inte.md"
    )


def test_the_original_pdf_downloads_as_it_was_shared(client):
    original = (SAMPLE_BUNDLE / "material/schack/schack-i-matematiken.pdf").read_bytes()
    response = client.get("/download/material/schack/schack-i-matematiken.pdf")
    assert response.data == original
    assert "filename=schack-i-matematiken.pdf" in response.headers["Content-Disposition"]


def test_a_markdown_document_downloads_as_its_markdown(client):
    response = client.get("/download/reflections/2025-03-12-lasframjande-natverket.md")
    assert response.headers["Content-Type"].startswith("text/markdown")
    assert "## Vad tar vi med oss?" in response.get_data(as_text=True)


def test_a_pdf_shows_its_extracted_text(client):
    html = client.get("/doc/material/schack/schack-i-matematiken.pdf").get_data(as_text=True)
    assert "Springarens vandring" in html
    assert "Ladda ned" in html


@pytest.fixture
def hostile(make_kb, bundle):
    bundle.doc(
        "material/elak.md",
        """
        # Rubrik

        <script>alert("xss")</script>
        <img src="x" onerror="alert(1)">

        [klicka](javascript:alert(2)) och [bra länk](https://example.se/)

        <iframe src="https://evil.example/"></iframe>
        """,
        title="Elakt dokument",
        authors=["anna.lind"],
    )
    base = make_kb()
    base.documents.ingest(bundle.root)
    accounts.set_password(base, "per.ek", PASSWORD)
    return logged_in_client(base, "per.ek")


def test_raw_html_in_markdown_is_shown_as_text_never_run(hostile):
    html = hostile.get("/doc/material/elak.md").get_data(as_text=True)
    body = html.split('<div class="doc-body"', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<img" not in body and "<iframe" not in body
    assert "&lt;script&gt;" in body
    assert "javascript:" not in body.replace("](javascript:", "")
    assert 'href="https://example.se/"' in body
    assert 'rel="noopener noreferrer nofollow"' in body


def test_document_headings_sit_below_the_page_title(hostile):
    html = hostile.get("/doc/material/elak.md").get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "<h2>Rubrik</h2>" in html


def test_a_markdown_page_is_made_in_the_sandbox_once_and_then_read_from_the_cache(hostile):
    # Markdown made to be slow to render (90 KB of "[" takes 1.5 s) must not hold the server
    # on every view: it is rendered like the other formats shown as HTML, and kept.
    first = hostile.get("/doc/material/elak.md").get_data(as_text=True)
    previews = hostile.application.extensions["kb"].settings.instance_path / "previews"
    kept = list(previews.rglob("doc.html"))
    assert len(kept) == 1
    assert "Rubrik" in kept[0].read_text(encoding="utf-8")
    assert hostile.get("/doc/material/elak.md").get_data(as_text=True) == first
