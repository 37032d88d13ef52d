"""Specs for the Swedish analysis chain of the keyword search (kb.search.indexes.analysis)."""

from __future__ import annotations

import logging
import pickle
import time
import unicodedata

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from kb.search.indexes import analysis
from kb.search.indexes.analysis import decompound, exact_analyzer, stem, swedish_analyzer


def analyze(text: str, **kwargs) -> list[str]:
    return [t.text for t in swedish_analyzer()(text, **kwargs)]


def search_ids(documents: dict[str, str], query: str) -> list[str]:
    """Index the documents in memory with swedish_analyzer and return the ids matching query."""
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=swedish_analyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for doc_id, body in documents.items():
            writer.add_document(id=doc_id, body=body)
    with ix.searcher() as searcher:
        parsed = QueryParser("body", ix.schema).parse(query)
        return sorted(hit["id"] for hit in searcher.search(parsed))


@pytest.fixture
def without_dictionary(monkeypatch, tmp_path):
    """Make the Hunspell files unfindable for one test, then restore the real lexicon."""
    monkeypatch.setattr(analysis, "dictionary_dirs", lambda: [tmp_path])
    analysis.reset_lexicon()
    yield
    monkeypatch.undo()
    analysis.reset_lexicon()


# --------------------------------------------------------------------- decompound()


def test_compound_läsfrämjande_is_split_into_läs_and_främjande():
    assert decompound("läsfrämjande") == ["läs", "främjande"]


def test_linking_s_is_dropped_from_betygssamtalen():
    assert decompound("betygssamtalen") == ["betyg", "samtalen"]


def test_linking_s_wins_over_a_head_starting_with_s_in_begreppskorten():
    assert decompound("begreppskorten") == ["begrepp", "korten"]


def test_compound_form_skol_of_skola_is_recognised_in_skolbiblioteket():
    modifier, head = decompound("skolbiblioteket")
    assert modifier in {"skol", "skola"}
    assert head == "biblioteket"


def test_inflected_head_is_recognised_in_ordväggarna():
    assert decompound("ordväggarna") == ["ord", "väggarna"]


def test_long_modifier_is_kept_whole_in_mellanstadieelever():
    modifier, head = decompound("mellanstadieelever")
    assert modifier.startswith("mellanstadi")
    assert head == "elever"


def test_compound_listed_in_the_dictionary_is_still_split():
    assert decompound("matematikundervisningen") == ["matematik", "undervisningen"]


def test_three_part_compound_is_split_into_three_parts():
    assert decompound("elevhälsoteam") == ["elev", "hälsa", "team"]


def test_hyphenated_compound_is_split_at_the_hyphens():
    assert decompound("exit-ticket-mallar") == ["exit", "ticket", "mallar"]


@pytest.mark.parametrize(
    "word",
    [
        "undervisning",  # under + visning is etymology, not a compound
        "uppgifter",  # upp + gifter
        "genomgång",  # gen + omgång
        "möjlighet",  # möjlig + het
        "kamrater",  # kam + rater
        "persiska",  # per + siska
        "värdering",  # värde + ring
        "rektorn",  # rek + torn
        "information",
    ],
)
def test_words_that_are_not_compounds_are_returned_whole(word):
    assert decompound(word) == [word]


def test_words_shorter_than_seven_letters_are_never_split():
    assert decompound("matsal") == ["matsal"]


def test_unknown_words_pass_through_unchanged():
    assert decompound("chromebook") == ["chromebook"]
    assert analyze("chromebook") == ["chromebook"]


# ----------------------------------------------------------------------- stemming


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("bokpratets", "bokprat"),
        ("ordväggarna", "ordväggar"),
        ("betygssamtalen", "betygssamtal"),
        ("biblioteket", "bibliotek"),
        ("klassbiblioteket", "klassbibliotek"),
    ],
)
def test_inflected_forms_share_a_stem(inflected, base):
    assert stem(inflected) == stem(base)


def test_å_ä_ö_are_not_folded():
    assert analyze("får") != analyze("far")
    assert analyze("får") == ["får"]


def test_decomposed_å_matches_composed_å():
    decomposed = unicodedata.normalize("NFD", "skolgården")
    assert analyze(decomposed) == analyze("skolgården")


# ----------------------------------------------------------------------- analyzer


def test_stop_words_are_dropped():
    assert analyze("och att det är i boken") == analyze("boken")


def test_single_digits_are_kept():
    assert "7" in analyze("årskurs 7")


def test_micro_bit_is_split_into_micro_and_bit():
    assert analyze("micro:bit") == ["micro", "bit"]


def test_compound_and_its_parts_share_one_position():
    tokens = [(t.text, t.pos) for t in swedish_analyzer()("två betygssamtalen", positions=True)]
    assert tokens == [("två", 0), ("betygssamtal", 1), ("betyg", 1), ("samtal", 1)]


def test_queries_are_not_expanded_into_compound_parts():
    assert analyze("betygssamtalen", mode="query") == ["betygssamtal"]


def test_exact_analyzer_only_tokenizes_and_lowercases():
    tokens = [t.text for t in exact_analyzer()("Skolbiblioteket och Micro:bit")]
    assert tokens == ["skolbiblioteket", "och", "micro", "bit"]


def test_analyzer_can_be_pickled_with_an_index_schema():
    schema = Schema(body=TEXT(analyzer=swedish_analyzer()))
    restored = pickle.loads(pickle.dumps(schema))
    assert [t.text for t in restored["body"].analyzer("skolbiblioteket")] == analyze(
        "skolbiblioteket"
    )


# ---------------------------------------------------------------------- searching


def test_a_query_term_matches_the_head_of_a_compound_in_a_document():
    documents = {
        "bibliotek": "Vi besökte skolbiblioteket i går.",
        "samtal": "Inför betygssamtalen läste vi i bokcirklar.",
    }
    assert search_ids(documents, "bibliotek") == ["bibliotek"]
    assert search_ids(documents, "samtal") == ["samtal"]


def test_a_query_term_matches_the_modifier_of_a_compound_in_a_document():
    documents = {"betyg": "Inför betygssamtalen.", "annat": "Inför utvecklingssamtalen."}
    assert search_ids(documents, "betyg") == ["betyg"]


def test_a_verb_form_matches_a_compound_built_on_the_verb_stem():
    documents = {"läs": "Ett läsfrämjande projekt.", "annat": "Ett hälsofrämjande projekt."}
    assert search_ids(documents, "läser") == ["läs"]


def test_a_phrase_query_still_matches_across_a_compound():
    documents = {"ja": "Vi besökte skolbiblioteket i går.", "nej": "Skolbiblioteket var stängt."}
    assert search_ids(documents, '"besökte skolbiblioteket"') == ["ja"]


# ----------------------------------------------------------------- robustness


def test_missing_dictionary_disables_decompounding_with_a_warning(without_dictionary, caplog):
    with caplog.at_level(logging.WARNING, logger=analysis.__name__):
        assert decompound("skolbiblioteket") == ["skolbiblioteket"]
    assert "dictionary not found" in caplog.text
    assert not analysis.lexicon_available()


def test_missing_dictionary_still_stems_with_snowball(without_dictionary):
    assert analyze("och betygssamtalen") == ["betygssamtal"]


def test_decompounding_a_thousand_new_words_takes_well_under_a_second():
    modifiers = ["skol", "läs", "betygs", "elev", "lärar", "klass", "bok", "ord", "matte", "språk"]
    heads = [
        "biblioteket", "samtalen", "väggarna", "korten", "cirklar", "planeringen",
        "uppgifter", "böcker", "grupper", "lektioner", "material", "salen", "gården",
        "rådet", "mallar", "listor", "boken", "träningen", "förståelse", "strategier",
        "utvecklingen", "kunskaper", "diskussioner", "texter", "övningar", "modeller",
        "tavlan", "pärmen", "resan", "rummet", "arbetet", "provet", "frågor", "svaren",
        "hemmet", "timmen", "veckan", "dagen", "året", "kvällen", "appen", "datorn",
        "läraren", "eleverna", "föräldrarna", "rektorn", "lokalen", "stunden", "leken",
        "sången", "dansen", "filmen", "spelet", "kortet", "pennan", "mappen", "lådan",
        "hyllan", "skåpet", "bänken", "stolen", "golvet", "taket", "fönstret", "dörren",
        "korridoren", "trappan", "entrén", "matsalen", "köket", "idrottshallen", "gympan",
        "slöjden", "bilden", "musiken", "kören", "orkestern", "teatern", "scenen",
        "publiken", "gästen", "besöket", "utflykten", "lägret", "festen", "avslutningen",
        "starten", "målet", "planen", "kartan", "boxen", "lådorna", "burken", "flaskan",
        "koppen", "tallriken", "skeden", "gaffeln", "kniven", "servetten",
    ]  # fmt: skip
    words = [m + h for m in modifiers for h in heads][:1000]
    assert len(set(words)) == 1000
    analysis.reset_lexicon()
    assert analysis.lexicon_available()  # load outside the timed part
    start = time.perf_counter()
    for word in words:
        decompound(word)
    assert time.perf_counter() - start < 1.0
