"""The demo searched in a colleague's own words, with the real models: English questions, the
closest material when nothing answers, and "vad har vi lärt oss" about one topic only."""

from __future__ import annotations

import pytest

from kb.access import Viewer
from kb.features.experts.queries import experts
from kb.features.learned.queries import learned
from kb.search.query.requests import SearchRequest
from tests.conftest import DEMO_BUNDLE

pytestmark = pytest.mark.model

AMIR = Viewer(person_id="amir.rahimi", unit="Lindskolan")  # the demo's new colleague


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    base = KnowledgeBase(load_settings(tmp_path_factory.mktemp("demo-real"), today="2026-11-20"))
    base.documents.ingest(DEMO_BUNDLE)
    yield base
    base.close()


def top(demo, question, n=3):
    return [
        h.source for h in demo.finder.search(SearchRequest(text=question, viewer=AMIR)).hits[:n]
    ]


def test_feedback_on_pupils_writing_in_english_finds_the_peer_response_reflection(demo):
    assert "reflections/2026-09-30-bedomningsgruppen.md" in top(
        demo, "how do we give feedback on pupils' writing"
    )


def test_sign_language_in_english_finds_the_signing_material(demo):
    assert any(s.startswith("material/teckensprak/") for s in top(demo, "sign language"))


def test_teaching_reading_in_english_finds_the_book_talk_material(demo):
    assert any(s.startswith("material/boksamtal/") for s in top(demo, "teaching reading"))


def test_a_question_nothing_answers_has_no_hits_but_names_the_closest_material(demo):
    result = demo.finder.search(SearchRequest(text="hur bakar man pannkakor i skolan", viewer=AMIR))
    assert result.hits == () and result.total == 0
    assert 1 <= len(result.closest) <= 3


def test_a_question_none_of_whose_words_the_material_holds_stays_empty(demo):
    result = demo.finder.search(SearchRequest(text="fnordel vraskoplis", viewer=AMIR))
    assert result.hits == () and result.closest == ()


def test_what_we_learned_about_npf_lists_only_the_npf_networks_reflections(demo):
    answer = learned(demo, AMIR, "vad har vi lärt oss om NPF")
    assert [g.name for g in answer.groups] == ["NPF-nätverket Lindskolan"]


def test_what_we_learned_about_reading_lists_the_book_talk_reflections_and_no_others(demo):
    # The book-talk reflections never say "läsning": a book talk is a kind of reading.
    answer = learned(demo, AMIR, "vad har vi lärt oss om läsning")
    assert answer.count == 3
    assert [g.name for g in answer.groups] == ["Boksamtalsgruppen Lindskolan–biblioteket"]


def test_what_we_learned_about_exit_tickets_lists_only_the_assessment_groups_reflections(demo):
    answer = learned(demo, AMIR, "vad har vi lärt oss om exit tickets")
    assert answer.count >= 2
    assert {g.name for g in answer.groups} == {"Bedömningsgruppen Sjöviks högstadieskola"}


def test_sign_language_in_english_finds_eva_strand_on_vem_kan(demo):
    assert [e.person_id for e in experts(demo, AMIR, "sign language")][:1] == ["eva.strand"]
