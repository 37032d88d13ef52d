"""The search page: hits with snippets, facets, paging, help when nothing is found."""

from __future__ import annotations

import re

import pytest

from kb import accounts
from tests.helpers import PASSWORD, log_in, make_app


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def result_titles(html: str) -> list[str]:
    # A hit links through its click-through (/hit/ID/SOURCE) on a search's first page.
    return re.findall(
        r'<h3 lang="[a-z]+"><a href="/(?:doc|hit/[0-9a-f]+)/[^"]+">([^<]+)</a></h3>', html
    )


def test_a_search_shows_hits_with_kind_authors_date_and_highlighted_snippet(client):
    html = page(client, "/?q=exit+tickets")
    assert "Exit tickets: en kort guide" in html
    assert '<span class="badge">Material</span>' in html
    assert '<a href="/people/karin.sjoberg">Karin Sjöberg</a>' in html
    assert "3 mars 2025" in html
    assert "<mark>" in html


def test_the_search_box_keeps_what_was_asked(client):
    assert 'value="exit tickets"' in page(client, "/?q=exit+tickets")


def test_facets_are_offered_with_counts(client):
    html = page(client, "/?q=exit+tickets")
    assert re.search(
        r'href="/\?q=exit\+tickets&amp;kind=reflection">Reflektion</a> '
        r'<span class="muted">\(\d+\)</span>',
        html,
    )
    for facet in ("Typ", "Ämne", "Årskurs", "Enhet", "Grupp", "Steg", "Språk"):
        assert f">{facet}</h3>" in html


def test_a_facet_narrows_the_results_to_its_value(client):
    html = page(client, "/?q=exit+tickets&kind=reflection")
    assert '<span class="badge">Material</span>' not in html
    assert '<span class="badge">Reflektion</span>' in html
    assert "(ta bort filtret)" in html


def test_paging_moves_through_the_results(client):
    first = result_titles(page(client, "/?q=elever+och+lärare&limit=10"))
    second_html = page(client, "/?q=elever+och+lärare&limit=10&offset=10")
    second = result_titles(second_html)
    assert len(first) == 10 and second
    assert not set(first) & set(second)
    assert 'rel="prev"' in second_html
    assert '<ol class="results" start="11">' in second_html


def test_nonsense_paging_parameters_fall_back_to_the_first_page(client):
    html = page(client, "/?q=elever+och+lärare&offset=minus&limit=9999")
    assert '<ol class="results" start="1">' in html
    assert len(result_titles(html)) == 10


def test_a_search_without_hits_explains_what_to_try(client):
    html = page(client, "/?q=zyxwvut&kind=reflection&subject=nothing")
    assert "Inga träffar" in html
    assert "Sök utan filter" in html
    assert "/experts?q=zyxwvut" in html


def test_the_empty_search_page_explains_how_to_search(client):
    assert "Så söker du" in page(client, "/?q=")


def test_a_private_draft_never_shows_in_search_for_other_colleagues(shared_kb, client):
    html = page(client, "/?q=NPF-fortbildning+utkast")
    assert "Utkast: plan för NPF-fortbildning" not in html
    owner = make_app(shared_kb).test_client()
    log_in(owner, shared_kb, "elin.forsberg", set_password=False)
    assert "Utkast: plan för NPF-fortbildning" in page(owner, "/?q=NPF-fortbildning+utkast")


def test_a_question_about_what_we_learned_points_to_the_reflections_on_its_topic(client):
    html = page(client, "/?q=vad+har+vi+l%C3%A4rt+oss+om+exit+tickets")
    assert "/learned?q=exit+tickets" in html
    assert "/learned?q=vad+har+vi" not in html


@pytest.fixture
def tricky(make_kb, bundle):
    bundle.doc(
        "material/farligt.md",
        """
        Om <script>alert("snippet")</script> och <b>fet</b> text hackverkstad.
        Ett &amp; till: <img src=x onerror=alert(1)> hackverkstad.
        """,
        title="Hackverkstad <i>med</i> knep",
        authors=["anna.lind"],
    )
    base = make_kb()
    base.documents.ingest(bundle.root)
    accounts.set_password(base, "per.ek", PASSWORD)
    client = make_app(base).test_client()
    log_in(client, base, "per.ek", set_password=False)
    return client


def test_snippets_escape_markup_from_documents(tricky):
    html = page(tricky, "/?q=hackverkstad")
    snippet = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "<mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet and "<img" not in snippet
    assert "&lt;b&gt;" in snippet or "&lt;script&gt;" in snippet or "&lt;img" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_titles_with_markup_are_shown_as_text(tricky):
    html = page(tricky, "/?q=hackverkstad")
    assert "Hackverkstad &lt;i&gt;med&lt;/i&gt; knep" in html
    assert "<i>med</i>" not in html


def test_the_no_hit_box_takes_the_whole_width_without_facets(client):
    html = page(client, "/?q=zyxwvu+qwplk")
    assert 'class="columns single"' in html
    assert 'class="help nohit"' in html


def test_a_search_page_names_the_authors_as_they_were_when_the_search_began(kb, monkeypatch):
    # Hits, their authors' names and review states come from one state of the database,
    # whatever another request commits while the search runs.
    from kb.models import Person
    from kb.search.query.hybrid import HybridSearcher
    from tests.helpers import logged_in_client

    accounts.set_password(kb, "karin.sjoberg", PASSWORD)
    client = logged_in_client(kb, "karin.sjoberg")
    snippets = HybridSearcher.snippets

    def renamed_meanwhile(self, *args):
        with kb.db.write() as session:  # another request, committed mid-search
            session.get(Person, "karin.sjoberg").name = "Karin Lund"
        return snippets(self, *args)

    monkeypatch.setattr(HybridSearcher, "snippets", renamed_meanwhile)
    html = page(client, "/?q=exit+tickets")
    assert '<a href="/people/karin.sjoberg">Karin Sjöberg</a>' in html
    assert "Karin Lund" not in html
    monkeypatch.undo()
    assert "Karin Lund" in page(client, "/?q=exit+tickets")
