"""The extractive answer (issue 27) on the demo, with the real models: a few sentences quoted
from colleagues' own words above the hits, each leading to those words, or no answer at all."""

from __future__ import annotations

import html
import re

import pytest

from kb.access import Viewer
from kb.features.learned.payload import learned_payload
from kb.features.learned.queries import learned
from kb.features.search.payload import search_payload
from kb.features.search.queries import search
from tests.conftest import DEMO_BUNDLE
from tests.helpers import log_in, make_app

pytestmark = pytest.mark.model

AMIR = Viewer(person_id="amir.rahimi", unit="Lindskolan")  # the demo's new colleague


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    folder = tmp_path_factory.mktemp("demo-answers")
    base = KnowledgeBase(load_settings(folder, today="2026-11-20", answers=True))
    base.documents.ingest(DEMO_BUNDLE)
    yield base
    base.close()


def answer(demo, question, viewer=AMIR):
    return search_payload(search(demo, viewer, question))["answer"]


def sentences(found):
    return [(g["source"], s) for g in found["groups"] for s in g["sentences"]]


def test_what_we_learned_about_book_talks_is_answered_from_the_book_talk_groups_lessons(demo):
    found = answer(demo, "vad har vi lärt oss om boksamtal")
    assert found is not None
    assert {g["label"].split(",")[0] for g in found["groups"]} == {
        "Boksamtalsgruppen Lindskolan–biblioteket"
    }
    assert any(s["section"] == "Vad tar vi med oss?" for _, s in sentences(found))
    assert all(src.startswith("reflections/") for src, _ in sentences(found))


def test_what_we_learned_about_exit_tickets_is_answered_from_the_assessment_groups_lessons(demo):
    found = answer(demo, "vad har vi lärt oss om exit tickets")
    assert found is not None
    assert {g["label"].split(",")[0] for g in found["groups"]} == {
        "Bedömningsgruppen Sjöviks högstadieskola"
    }
    assert any(s["section"] == "Vad tar vi med oss?" for _, s in sentences(found))


def test_each_quoted_sentence_stands_in_its_document_exactly_as_written(demo):
    found = answer(demo, "vad har vi lärt oss om boksamtal")
    for source, s in sentences(found):
        text = demo.documents.opened(AMIR, source).text
        assert text[s["start"] : s["start"] + len(s["text"])] == s["text"]


def test_a_group_speaks_with_its_season_and_its_authors(demo):
    group = answer(demo, "vad har vi lärt oss om boksamtal")["groups"][0]
    assert group["label"].endswith(("våren 2026", "hösten 2026", "våren 2025", "hösten 2025"))
    assert group["authors"] and all(a["name"] for a in group["authors"])


def test_an_off_topic_question_gets_no_answer_only_the_list(demo):
    assert answer(demo, "vad har vi lärt oss om schackklubbens turneringar") is None
    assert answer(demo, "hur gör man surdegsbröd") is None


def test_an_acronym_is_a_topic_the_lessons_must_be_about_too(demo):
    # "AI" is what the question is about as much as book talks: the book-talk group said
    # nothing about AI, so their lessons are no answer to it.
    assert answer(demo, "vad har vi lärt oss om boksamtal") is not None
    assert answer(demo, "vad har vi lärt oss om AI och boksamtal") is None


def test_a_plain_search_gets_no_answer_box(demo):
    assert answer(demo, "boksamtal") is None


def test_an_english_question_is_answered_with_swedish_sentences_marked_as_such(demo):
    found = answer(demo, "what have we learned about book talks")
    assert found is not None and found["english"] is True
    assert {g["language"] for g in found["groups"]} == {"sv"}


def test_the_learned_page_opens_with_the_same_kind_of_answer(demo):
    page = learned_payload(learned(demo, AMIR, "boksamtal"))
    assert page["answer"] is not None
    assert all(g["kind"] == "reflection" for g in page["answer"]["groups"])


def test_the_answers_link_opens_the_document_with_those_exact_words_marked(demo):
    found = answer(demo, "vad har vi lärt oss om boksamtal")
    client = make_app(demo).test_client()
    log_in(client, demo, "amir.rahimi")
    for _, s in sentences(found):
        page = client.get(s["link"]).get_data(as_text=True)
        assert page.count('id="passage"') == 1  # where #passage scrolls to
        marked = re.findall(r'<mark class="passage"[^>]*>(.*?)</mark>', page, re.S)
        assert html.unescape("".join(marked)) == s["text"]


def test_the_search_page_and_the_api_carry_the_answer(demo):
    client = make_app(demo).test_client()
    log_in(client, demo, "amir.rahimi")
    page = client.get("/?q=vad+har+vi+l%C3%A4rt+oss+om+boksamtal").get_data(as_text=True)
    assert "Svar med kollegornas egna ord" in page and "passage=" in page
    learned_page = client.get("/learned?q=boksamtal").get_data(as_text=True)
    assert "Svar med kollegornas egna ord" in learned_page
    body = client.get(
        "/api/search?q=vad+har+vi+l%C3%A4rt+oss+om+boksamtal",
        headers={"Authorization": f"Bearer {demo.people.create_token('amir.rahimi')}"},
    ).get_json()
    assert body["answer"]["groups"] and "hits" in body and "closest" in body


def test_answers_are_on_unless_kb_toml_switches_them_off(tmp_path):
    from kb.config import load_settings

    assert load_settings(tmp_path / "default").answers is True
    off = tmp_path / "off"
    off.mkdir()
    (off / "kb.toml").write_text("answers = false\n")
    assert load_settings(off).answers is False


def test_answers_switched_off_in_kb_toml_leave_the_page_without_an_answer(tmp_path):
    from kb.config import load_settings
    from kb.service import KnowledgeBase
    from tests.conftest import BundleWriter

    bundle = BundleWriter(tmp_path / "bundle")
    bundle.doc(
        "reflections/boksamtal.md",
        "## Vad gjorde vi?\nVi prövade boksamtal i åk 5.\n\n"
        "## Vad tar vi med oss?\nBoksamtal fungerar bäst i små grupper med fyra elever.\n",
        title="Läsgruppen: boksamtal",
        group="Läsgruppen",
        date="2026-03-04",
        authors=["anna.lind"],
        visibility="all",
    )
    bundle.doc("material/schack.md", "Schackklubben träffas på onsdagar.", title="Schack")
    answered = {}
    for setting in ("true", "false"):
        folder = tmp_path / setting
        folder.mkdir()
        (folder / "kb.toml").write_text(f"answers = {setting}\n")
        base = KnowledgeBase(load_settings(folder))
        try:
            base.documents.ingest(bundle.root)
            answered[setting] = answer(base, "vad har vi lärt oss om boksamtal") is not None
        finally:
            base.close()
    assert answered == {"true": True, "false": False}


def test_kb_search_prints_the_answer_above_the_hits_and_carries_it_in_json(demo):
    from click.testing import CliRunner

    from kb.cli import main

    folder = demo.settings.instance_path
    (folder / "kb.toml").write_text('answers = true\ntoday = "2026-11-20"\n', encoding="utf-8")
    folder, question = str(folder), "vad har vi lärt oss om exit tickets"
    runner = CliRunner()
    shown = runner.invoke(main, ["--instance", folder, "search", question, "--as", "amir.rahimi"])
    assert shown.output.startswith("Bedömningsgruppen Sjöviks högstadieskola")
    body = runner.invoke(
        main, ["--instance", folder, "search", question, "--as", "amir.rahimi", "--json"]
    )
    assert '"answer": {' in body.output
