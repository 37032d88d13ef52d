"""A word that occurs only in what the asker may not open answers like a word that is nowhere."""

from __future__ import annotations

from dataclasses import replace

from kb.access import Viewer
from kb.search.query.hybrid import SearchRequest


def _hidden_word_kb(make_kb, bundle):
    bundle.doc(
        "material/anna/friluftsdag.md",
        "Planering av friluftsdag med kanotpaddling vid sjön.",
        title="Friluftsdag",
        authors=["anna.lind"],
        visibility="private",
    )
    bundle.doc(
        "material/per/boksamtal.md",
        "Boksamtal i åk 5 med samtalsroller.",
        title="Boksamtal",
        authors=["per.ek"],
    )
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    return kb


def _search(kb, text: str, person: str):
    viewer = Viewer(person_id=person, unit=kb.people.viewer(person).unit)
    return kb.finder.search(SearchRequest(text=text, viewer=viewer, limit=50))


def test_a_word_only_in_a_private_document_answers_exactly_like_a_missing_word(make_kb, bundle):
    kb = _hidden_word_kb(make_kb, bundle)
    hidden = _search(kb, "kanotpaddling", "sara.berg")
    missing = _search(kb, "kanotpaddlinx", "sara.berg")
    assert (hidden.total, [h.source for h in hidden.hits]) == (0, [])
    assert (missing.total, [h.source for h in missing.hits]) == (0, [])


def test_the_author_still_finds_the_word_in_her_private_document(make_kb, bundle):
    kb = _hidden_word_kb(make_kb, bundle)
    found = _search(kb, "kanotpaddling", "anna.lind")
    assert "material/anna/friluftsdag.md" in [h.source for h in found.hits]


def test_field_syntax_is_read_as_plain_words(make_kb, bundle):
    kb = _hidden_word_kb(make_kb, bundle)
    as_field = _search(kb, "title:kanotpaddling", "sara.berg")
    assert (as_field.total, list(as_field.hits)) == (0, [])
    # With the fake embedder "title" is an unknown word half the question: no cut-off here.
    kb.finder.settings = replace(kb.finder.settings, cutoff=False)
    plain = _search(kb, "title:boksamtal", "sara.berg")
    assert "material/per/boksamtal.md" in [h.source for h in plain.hits]
