"""Writing a reflection: stored like an ingested one, found under "what have we learned"."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from kb.features.reflect.queries import write_reflection
from kb.models import Document
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import log_in, make_app, open_kb, post_form

ANSWERS = {
    "title": "Tekniklaget: fladdermusholkar",
    "group": "Tekniklaget 4–6",
    "date": "2026-10-14",
    "step": "genomföra",
    "participants": ["mikael.strand", "noah.berg"],
    "tags": "holkar, natur",
    "visibility": "all",
    "did": "Vi byggde holkar med åk 5.",
    "went_well": "Alla kom igång.",
    "went_less_well": "Skruvarna tog slut.",
    "take_away": "- Köp skruv i förväg.\n- Låt eleverna mäta själva.",
}


@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "reflect", SAMPLE_BUNDLE)
    yield kb
    kb.close()


@pytest.fixture
def client(base):
    client = make_app(base).test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    return client


def stored(kb, source: str) -> Document:
    with kb.db.read() as session:
        doc = session.scalar(select(Document).where(Document.source == source))
        session.expunge_all()
        return doc


def test_a_written_reflection_is_stored_with_its_four_sections(base, client):
    response = post_form(client, "/reflect", ANSWERS)
    assert response.status_code == 302
    source = response.headers["Location"].removeprefix("/doc/")
    assert re.fullmatch(r"reflections/2026-10-14-tekniklaget-4-6-[0-9a-f]{6}\.md", source)
    doc = stored(base, source)
    assert (doc.kind, doc.format, doc.group, doc.step) == (
        "reflection",
        "md",
        "Tekniklaget 4–6",
        "genomföra",
    )
    assert doc.date == date(2026, 10, 14)
    assert doc.did == "Vi byggde holkar med åk 5."
    assert doc.went_less_well == "Skruvarna tog slut."
    assert doc.take_away.startswith("- Köp skruv i förväg.")
    for heading in (
        "## Vad gjorde vi?",
        "## Vad gick bra?",
        "## Vad gick mindre bra?",
        "## Vad tar vi med oss?",
    ):
        assert heading in doc.body


def test_the_writer_and_the_participants_become_its_authors(base, client):
    post_form(client, "/reflect", ANSWERS)
    with base.db.read() as session:
        doc = session.scalar(select(Document).where(Document.title == ANSWERS["title"]))
        assert doc.author_ids == ["johan.lindqvist", "mikael.strand", "noah.berg"]


def test_a_written_reflection_is_found_under_what_we_have_learned(client):
    post_form(client, "/reflect", ANSWERS)
    assert client.application.extensions["kb"].indexes.wait_indexed(timeout=60)
    html = client.get("/learned?q=fladdermusholkar").get_data(as_text=True)
    assert "Tekniklaget 4–6</h2>" in html
    assert "Köp skruv i förväg." in html


def test_a_reflection_without_any_answer_is_refused(base, client):
    with base.db.read() as session:
        before = session.scalar(select(func.count(Document.id)))
    empty = {**ANSWERS, "did": "", "went_well": "", "went_less_well": "", "take_away": ""}
    response = post_form(client, "/reflect", empty)
    assert response.status_code == 422
    assert "Svara på minst en av de fyra frågorna" in response.get_data(as_text=True)
    with base.db.read() as session:
        assert session.scalar(select(func.count(Document.id))) == before


def test_an_unknown_participant_is_refused(client):
    response = post_form(client, "/reflect", {**ANSWERS, "participants": ["nobody.at.all"]})
    assert response.status_code == 422


def test_a_step_outside_the_cycle_is_refused(client):
    response = post_form(client, "/reflect", {**ANSWERS, "step": "improvisera"})
    assert response.status_code == 422


def test_the_form_offers_the_known_learning_groups(client):
    html = client.get("/reflect").get_data(as_text=True)
    assert '<option value="Bedömningsgruppen Ängsskolan">' in html


def test_a_reflection_on_the_same_day_in_the_same_group_gets_its_own_source(base):
    viewer = base.people.viewer("johan.lindqvist")
    sources = {
        write_reflection(
            base,
            viewer,
            group="Tekniklaget 4–6",
            when=date(2026, 10, 14),
            step="planera",
            participants=[],
            title=f"Träff {n}",
            tags="",
            visibility="all",
            did="Planerade.",
        )
        for n in (1, 2)
    }
    assert len(sources) == 2
    assert all(
        re.fullmatch(r"reflections/2026-10-14-tekniklaget-4-6-\w{6}\.md", s) for s in sources
    )


def test_a_written_reflection_exports_as_a_bundle_file_that_ingests_again(
    base, client, tmp_path, make_kb
):
    source = post_form(client, "/reflect", ANSWERS).headers["Location"].removeprefix("/doc/")
    base.documents.export(tmp_path / "out")
    again = make_kb("again")
    again.documents.ingest(tmp_path / "out")
    doc = stored(again, source)
    assert doc.take_away.startswith("- Köp skruv i förväg.")
    assert doc.step == "genomföra"
