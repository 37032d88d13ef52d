"""Hybrid search: both legs, filters, snippets, and access rules in every leg."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kb.access import Viewer
from kb.catalog import Filters
from kb.search.query.hybrid import SearchRequest, wants_learned

PRIVATE = "material/privat/sjoberg-mentorsprogram-utvardering-utkast.md"
UNIT_ONLY = "material/bedomning/sambedomning-protokoll-ak9.md"


def sources(kb, text, viewer, method="convex", **filters):
    result = kb.finder.search(
        SearchRequest(text=text, viewer=viewer, limit=50, method=method, filters=Filters(**filters))
    )
    return [h.source for h in result.hits]


@pytest.fixture
def outsider():
    return Viewer(person_id="eval.viewer", unit="Någon annan enhet")


def test_a_lexical_query_finds_its_documents_first(kb, outsider):
    top = sources(kb, "cirkelmodellen", outsider)[:2]
    assert "material/sprakutveckling/cirkelmodellen.md" in top


def test_an_inflected_query_finds_the_base_form(kb, outsider):
    found = sources(kb, "betygssamtalen med eleverna", outsider, method="keyword")
    assert found[0] == "material/bedomning/betygssamtal-gymnasiet.md"


@pytest.mark.parametrize("method", ["convex", "rrf", "keyword", "dense", "sparse"])
def test_a_private_draft_is_hidden_from_others_in_every_leg(kb, outsider, method):
    assert PRIVATE not in sources(kb, "utvärdering av mentorsprogrammet utkast", outsider, method)


@pytest.mark.parametrize("method", ["convex", "keyword", "dense", "sparse"])
def test_a_private_draft_is_found_by_its_author(kb, method):
    karin = kb.people.viewer("karin.sjoberg")
    assert PRIVATE in sources(kb, "utvärdering av mentorsprogrammet utkast", karin, method)


@pytest.mark.parametrize("method", ["convex", "keyword", "dense", "sparse"])
def test_a_unit_document_is_hidden_from_another_unit(kb, method):
    hanna = kb.people.viewer("hanna.berglund")  # Norrvikens gymnasium
    assert UNIT_ONLY not in sources(kb, "sambedömning protokoll argumenterande text", hanna, method)


def test_a_unit_document_is_found_by_a_colleague_of_the_same_unit(kb):
    johan = kb.people.viewer("johan.lindqvist")  # Ängsskolan, like the author
    assert UNIT_ONLY in sources(kb, "sambedömning protokoll argumenterande text", johan)


def test_counts_and_facets_leave_out_what_the_viewer_may_not_open(kb, outsider):
    result = kb.finder.search(
        SearchRequest(text="utkast mentorsprogram NPF fortbildning", viewer=outsider, limit=50)
    )
    assert result.total == len(result.hits)
    assert "utkast" not in " ".join(h.title.lower() for h in result.hits)
    karin_authored = result.facets["author"].get("karin.sjoberg", 0)
    visible_by_karin = sum(
        1 for h in result.hits if "karin.sjoberg" in kb.indexes.catalog().docs[h.doc_id].authors
    )
    assert karin_authored == visible_by_karin


def test_the_kind_filter_keeps_only_reflections(kb, outsider):
    found = sources(kb, "exit tickets", outsider, kind="reflection")
    assert found and all(s.startswith("reflections/") for s in found)


@pytest.mark.parametrize(
    "field,value,expect",
    [
        ("subject", "matematik", "material/schack/schack-i-matematiken.pdf"),
        ("grade", "4-6", "material/bedomning/exit-tickets-matematik-4-6.md"),
        ("group", "NPF-gruppen Ängsskolan", "reflections/2025-01-22-npf-gruppen.md"),
        ("step", "följa upp", "reflections/2025-02-05-bedomningsgruppen.md"),
        ("author", "dragan.petrovic", "material/schack/schackklubben-pa-rasterna.md"),
        ("language", "en", "material/kallkritik/lateral-reading.md"),
        ("unit", "Norrvikens stadsbibliotek", "material/lattlast/vad-gor-en-text-lattlast.md"),
    ],
)
def test_each_filter_keeps_matching_documents_and_drops_the_rest(
    kb, outsider, field, value, expect
):
    # The filters are the point here, not the cut-off (common words, fake embedder).
    kb.finder.settings = replace(kb.finder.settings, cutoff=False)
    found = sources(kb, "elever lärare undervisning", outsider, **{field: value})
    everything = sources(kb, "elever lärare undervisning", outsider)
    assert found and set(found) < set(everything) | {expect}
    catalog = kb.indexes.catalog()
    for source in found:
        assert Filters(**{field: value}).accepts(catalog.by_source[source])


def test_a_date_filter_keeps_documents_in_the_range(kb, outsider):
    from datetime import date

    result = kb.finder.search(
        SearchRequest(
            text="läsfrämjande",
            viewer=outsider,
            limit=50,
            filters=Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
        )
    )
    dates = [kb.indexes.catalog().docs[h.doc_id].date for h in result.hits]
    assert dates and all(date(2025, 1, 1) <= d <= date(2025, 12, 31) for d in dates)


def test_snippets_mark_the_query_words_and_escape_the_text(make_kb, bundle):
    bundle.doc(
        "material/x.md",
        "Vi läste <script>alert(1)</script> om skolbiblioteket & boksamtal.",
        title="Skolbibliotek",
    )
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    hit = kb.finder.search(SearchRequest(text="bibliotek", viewer=Viewer.system())).hits[0]
    assert "<mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_a_learned_question_puts_reflections_first(kb, outsider):
    found = sources(kb, "vad har vi lärt oss om exit tickets", outsider)
    assert found[0].startswith("reflections/")


def test_learned_questions_are_recognised_in_swedish_and_english():
    assert wants_learned("Vad har vi lärt oss om boksamtal?")
    assert wants_learned("what have we learned about exit tickets")
    assert not wants_learned("exit tickets i matematik")


def test_an_empty_query_returns_nothing(kb, outsider):
    assert kb.finder.search(SearchRequest(text="   ", viewer=outsider)).hits == ()


def test_punctuation_and_quotes_never_break_search(kb, outsider):
    for text in ['"unclosed', "a:b:c", "(((", "micro:bit*", "AND OR NOT"]:
        kb.finder.search(SearchRequest(text=text, viewer=outsider))


def test_paging_returns_the_next_hits(kb, outsider):
    first = kb.finder.search(SearchRequest(text="elever", viewer=outsider, limit=3))
    second = kb.finder.search(SearchRequest(text="elever", viewer=outsider, limit=3, offset=3))
    assert not {h.source for h in first.hits} & {h.source for h in second.hits}


def test_a_deleted_document_disappears_from_both_legs(make_kb, bundle):
    bundle.doc("material/a.md", "Schackklubben på rasterna.", title="Schack")
    bundle.doc("material/b.md", "Högläsning i F-3.", title="Högläsning")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    (bundle.root / "material/a.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    for method in ("keyword", "dense", "sparse"):
        assert "material/a.md" not in sources(kb, "schack rasterna", Viewer.system(), method)


def test_a_query_of_unknown_words_finds_nothing_rather_than_guesses(kb, outsider):
    assert kb.finder.search(SearchRequest(text="zyxwvut qqq", viewer=outsider)).hits == ()


def test_a_whole_question_in_english_reaches_swedish_material_through_the_semantic_legs(
    kb, outsider
):
    # The fake embedder hashes words, so an English question is noise to it: the cut-off
    # would rightly answer nothing. The real model's figures are in docs/search.md.
    kb.finder.settings = replace(kb.finder.settings, cutoff=False)
    result = kb.finder.search(
        SearchRequest(text="how do we start a book circle for adults?", viewer=outsider, limit=20)
    )
    assert result.hits


def test_a_clear_question_language_keeps_keywords_to_documents_in_that_language(make_kb, bundle):
    bundle.doc(
        "material/en.md",
        "The students read books and what they learn about reading.",
        title="Reading",
        language="en",
    )
    bundle.doc(
        "material/sv.md",
        "Eleverna läser böcker och lär sig om läsning.",
        title="Läsning",
        language="sv",
    )
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    with kb.db.read() as session:
        searcher = kb.finder.searcher(session)
        legs = searcher.legs(
            "what do the students learn about reading", list(kb.indexes.catalog().docs), True, 10
        )
    fused = searcher.fuse("convex", legs, "en")
    only_semantic = searcher.fuse("convex", {k: v for k, v in legs.items() if k != "keyword"}, None)
    sv_doc = kb.indexes.catalog().by_source["material/sv.md"].id
    assert fused.get(sv_doc) == pytest.approx(only_semantic.get(sv_doc))
