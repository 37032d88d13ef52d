"""A short, honest result list: spelling, "Menade du", the noise cut-off and clean snippets."""

from __future__ import annotations

from kb.access import Viewer
from kb.search.indexes import analysis
from kb.search.query import calibration, narrower, spelling, thesaurus
from kb.search.query.hybrid import SearchRequest
from kb.search.query.named_facets import named_facets
from kb.text import snippets


def _kb(make_kb, bundle):
    bundle.doc(
        "material/kallkritik.md",
        "# Källkritik på sociala medier\n\nEleverna i åk 7 granskar **källor** på nätet.",
        title="Källkritik på sociala medier",
        authors=["per.ek"],
    )
    bundle.doc(
        "material/simning.md",
        "Simkunnighet i åk 5: alla elever ska klara 200 meter.",
        title="Simkunnighet",
        authors=["per.ek"],
    )
    bundle.doc(
        "material/anna/friluftsdag.md",
        "Planering av friluftsdag med kanotpaddling vid sjön.",
        title="Friluftsdag",
        authors=["anna.lind"],
        visibility="private",
    )
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    return kb


def _search(kb, text: str, person: str = "sara.berg"):
    viewer = Viewer(person_id=person, unit=kb.people.viewer(person).unit)
    return kb.finder.search(SearchRequest(text=text, viewer=viewer, limit=50))


def test_a_word_typed_without_a_ring_finds_the_material_and_is_suggested(make_kb, bundle):
    result = _search(_kb(make_kb, bundle), "kallkritik")
    assert [h.source for h in result.hits][:1] == ["material/kallkritik.md"]
    assert result.suggestion == "källkritik"


def test_a_typo_in_a_long_word_is_corrected(make_kb, bundle):
    result = _search(_kb(make_kb, bundle), "simkunighet")
    assert "material/simning.md" in [h.source for h in result.hits]
    assert result.suggestion == "simkunnighet"


def test_no_suggestion_comes_from_a_document_the_viewer_may_not_open(make_kb, bundle):
    kb = _kb(make_kb, bundle)
    outsider = _search(kb, "kanotpadling")
    assert (outsider.total, outsider.hits, outsider.suggestion) == (0, (), None)
    assert _search(kb, "kanotpadling", "anna.lind").suggestion == "kanotpaddling"


def test_a_known_word_is_left_as_typed(make_kb, bundle):
    assert _search(_kb(make_kb, bundle), "simkunnighet").suggestion is None


def test_the_hit_count_is_the_length_of_the_list(make_kb, bundle):
    result = _search(_kb(make_kb, bundle), "källkritik")
    assert result.total == len(result.hits) > 0


def test_keyboard_mashing_answers_nothing(make_kb, bundle):
    result = _search(_kb(make_kb, bundle), "asdfghjkl qwerty")
    assert (result.total, result.hits) == (0, ())


def test_spelling_prefers_the_word_equal_but_for_the_dots():
    class Words:
        counts = {"läsning": 1, "lasning": 0, "lagning": 9}

        def allowed_mask(self, allowed):
            return None

        def word_frequency(self, word, mask):
            return self.counts.get(word, 0)

        def near_words(self, word, maxdist, mask):
            return {w: n for w, n in self.counts.items() if n and w != word}

    assert spelling.correct("lasning", Words(), None).text == "läsning"


def test_a_short_word_is_corrected_only_for_its_dots():
    class Words:
        def allowed_mask(self, allowed):
            return None

        def word_frequency(self, word, mask):
            return int(word in {"bok", "kall"})

        def near_words(self, word, maxdist, mask):
            return {"bok": 3}

    assert not spelling.correct("book", Words(), None).changed


class _Viewers:
    """The words of the documents one viewer may open, with how many documents hold each."""

    def __init__(self, counts):
        self.counts = counts

    def allowed_mask(self, allowed):
        return None

    def word_frequency(self, word, mask):
        return self.counts.get(word, 0)

    def near_words(self, word, maxdist, mask):
        near = {w: n for w, n in self.counts.items() if n and w != word}
        return {w: n for w, n in near.items() if spelling.edits(w, word) <= maxdist}


def test_a_swedish_word_only_a_hidden_text_holds_is_not_turned_into_a_look_alike():
    # "bemanning" is in a document the viewer may not open; "bevakning" is two edits away.
    words = _Viewers({"bevakning": 4, "schema": 2})
    kept = spelling.correct("bemanning och schema", words, None, analysis.known_word)
    assert not kept.changed and kept.text == "bemanning och schema"


def test_a_swedish_word_still_meets_the_form_the_viewers_texts_use():
    words = _Viewers({"laboration": 3})
    corrected = spelling.correct("laborations", words, None, analysis.known_word)
    assert corrected.text == "laboration"


def test_a_misspelt_word_is_still_corrected_when_dictionary_words_are_kept():
    words = _Viewers({"källkritik": 5})
    assert spelling.correct("kallkritik", words, None, analysis.known_word).text == "källkritik"


NULL = {"dense": calibration.Null(0.0, 1.0), "sparse": calibration.Null(5.0, 1.0)}
GATES = {"keyword": 0.5, "dense": 2.0, "sparse": 3.0}


def test_one_leg_standing_out_from_the_noise_is_enough_for_a_document():
    scores = {
        "keyword": {1: 0.1, 2: 0.1, 3: 0.6},
        "dense": {1: 0.5, 2: 2.5, 3: -1.0},
        "sparse": {1: 8.5, 2: 4.0, 3: 1.0},
    }
    assert calibration.standing_out(scores, NULL, GATES) == {1, 2, 3}


def test_a_document_no_leg_scores_above_its_noise_does_not_stand_out():
    scores = {"keyword": {1: 0.4}, "dense": {1: 1.9}, "sparse": {1: 7.9}}
    assert calibration.standing_out(scores, NULL, GATES) == set()


def test_an_english_question_finds_swedish_words_of_the_school_word_list():
    from kb.search.query import translate

    assert translate.is_english("how do we give feedback on pupils' writing")
    swedish = translate.to_swedish("how do we give feedback on pupils' writing").split()
    assert {"återkoppling", "elever", "skrivande"} <= set(swedish)
    assert "teckenspråk" in translate.to_swedish("sign language")


def test_swedish_questions_and_words_both_languages_share_stay_swedish():
    from kb.search.query import translate

    for question in ("boksamtal åk 5", "vad har vi lärt oss om exit tickets", "film", "läsning"):
        assert not translate.is_english(question)


def test_a_snippet_starts_at_a_sentence_without_markdown():
    text = "Inledning om annat.\n\n## Metod\n\nVi använder **exit tickets** i [matte](x.md)."
    tokens = _words
    out = snippets.highlight(text, {"exit", "tickets"}, tokens)
    assert out == "Vi använder <mark>exit</mark> <mark>tickets</mark> i matte."


def test_stop_words_numbers_and_grade_abbreviations_are_not_marked():
    text = "Läsloggar i åk 5 for alla."
    out = snippets.highlight(text, {"läsloggar", "åk", "5", "for", "i"}, _words)
    assert out == "<mark>Läsloggar</mark> i åk 5 for alla."


def _words(text):
    import re

    for m in re.finditer(r"\w+", text):
        yield m.group().lower(), m.start(), m.end()


def test_a_grade_named_in_the_question_is_offered_as_the_narrowest_range_holding_it():
    offered = {"grade": {"F-6": 3, "4-6": 2, "7-9": 1}, "subject": {}, "kind": {}}
    assert named_facets("boksamtal i åk 5", offered) == [("grade", "4-6")]


def test_a_subject_and_reflections_named_in_the_question_are_offered():
    offered = {"grade": {}, "subject": {"matematik": 2}, "kind": {"reflection": 1}}
    found = named_facets("reflektioner om kamratrespons i matematiken", offered)
    assert found == [("subject", "matematik"), ("kind", "reflection")]


def test_a_value_none_of_the_viewers_results_carries_is_never_offered():
    assert named_facets("läsning på gymnasiet", {"grade": {"7-9": 4}}) == []


def test_the_thesaurus_offers_synonyms_but_never_a_form_of_the_users_own_words():
    found = thesaurus.expansions("blyga pojkar")
    assert "kille" in found and "pojke" not in found


def test_without_the_word_list_there_is_no_expansion(tmp_path):
    assert thesaurus.table(tmp_path / "missing.txt.gz") == {}


def test_a_synonym_weighs_less_than_the_users_own_word(make_kb, bundle):
    bundle.doc("material/kille.md", "En kille och läsning på fritids.", title="Läsning A")
    bundle.doc("material/pojke.md", "Pojkar och läsning på fritids.", title="Läsning B")
    for n in range(4):  # words in one document of six carry weight (idf)
        bundle.doc(f"material/annat-{n}.md", "Schack på rasterna.", title=f"Schack {n}")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    hits = kb.indexes.keyword.search("pojkar", None, 10, thesaurus.expansions("pojkar"), 0.3)
    ids = {kb.indexes.catalog().docs[h.doc_id].source: h.score for h in hits}
    assert ids["material/pojke.md"] > ids.get("material/kille.md", 0) > 0


def test_doctor_says_whether_the_thesaurus_is_there():
    from kb.search.doctor import _thesaurus_line

    assert "headwords" in _thesaurus_line()


def test_a_topic_word_is_one_word_with_its_narrower_words():
    (reading,) = narrower.groups("läsning")
    assert reading[0] == "läsning" and {"boksamtal", "högläsning"} <= set(reading)


def test_a_question_without_a_field_word_has_no_narrower_words():
    assert narrower.groups("glömt lösenord till elevens chromebook") == ()
