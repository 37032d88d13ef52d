""" "Vad har vi lärt oss om …?": reflections by learning group, in time, with their take-aways."""

from __future__ import annotations

import re

import pytest

from kb import accounts
from kb.features.learned.payload import learned_payload
from kb.features.learned.queries import learned as find_learned
from tests.helpers import PASSWORD, log_in, make_app


def learned(kb, viewer, question):
    """Return the learned payload, as the page and the API show it."""
    return learned_payload(find_learned(kb, viewer, question))


def test_reflections_are_grouped_by_learning_group_and_ordered_in_time(shared_kb):
    page = learned(shared_kb, shared_kb.people.viewer("karin.sjoberg"), "exit tickets")
    names = [g["name"] for g in page["groups"]]
    assert names[0] == "Bedömningsgruppen Ängsskolan"
    assert len(names) == len(set(names))
    for group in page["groups"]:
        dates = [m["date"] for m in group["meetings"]]
        assert dates == sorted(dates)
        assert {m["group"] for m in group["meetings"]} == {group["name"]}


def test_each_meeting_shows_its_step_and_its_take_away(client):
    html = client.get("/learned?q=läsutmaning").get_data(as_text=True)
    assert "Läsfrämjande nätverket skola–bibliotek</h2>" in html
    assert "Steg: följa upp" in html
    assert "<h4>Vad tar vi med oss?</h4>" in html
    assert "Högstadiet behöver ett eget upplägg" in html


def test_a_meeting_links_to_the_material_it_used(client):
    html = client.get("/learned?q=läsutmaning").get_data(as_text=True)
    assert '<a href="/doc/material/lasframjande/lasutmaning-sportlovet.md"' in html


def test_linked_material_is_only_material_the_viewer_may_open(shared_kb):
    viewer = shared_kb.people.viewer("johan.lindqvist")
    catalog = shared_kb.indexes.catalog()
    page = learned(shared_kb, viewer, "mentorsprogram")
    linked = {d["source"] for g in page["groups"] for m in g["meetings"] for d in m["material"]}
    assert all(catalog.may_open(viewer, s) for s in linked)


def test_without_a_question_every_readable_reflection_is_listed(client):
    html = client.get("/learned").get_data(as_text=True)
    assert len(re.findall(r'<article aria-labelledby="meeting-', html)) == 14


def test_a_question_with_no_reflections_says_so(client):
    html = client.get("/learned?q=zyxwvut").get_data(as_text=True)
    assert "Inga reflektioner hittades" in html


@pytest.fixture
def private_reflection(make_kb, bundle):
    bundle.doc(
        "reflections/2025-01-01-hemligt.md",
        """
        ## Vad gjorde vi?
        Vi pratade om schackklubben.
        ## Vad tar vi med oss?
        Hemlig lärdom om schack.
        """,
        title="Hemlig träff",
        authors=["anna.lind"],
        group="Schackgruppen",
        step="planera",
        visibility="private",
    )
    bundle.doc(
        "reflections/2025-02-01-oppet.md",
        """
        ## Vad tar vi med oss?
        Öppen lärdom om schack.
        """,
        title="Öppen träff",
        authors=["anna.lind"],
        group="Schackgruppen",
        step="följa upp",
    )
    base = make_kb()
    base.documents.ingest(bundle.root)
    accounts.set_password(base, "per.ek", PASSWORD)
    client = make_app(base).test_client()
    log_in(client, base, "per.ek", set_password=False)
    return client


def test_a_reflection_the_viewer_may_not_read_is_left_out(private_reflection):
    html = private_reflection.get("/learned?q=schack").get_data(as_text=True)
    assert "Öppen lärdom om schack" in html
    assert "Hemlig" not in html


def test_a_whole_question_finds_the_same_reflections_as_its_topic(shared_kb):
    viewer = shared_kb.people.viewer("karin.sjoberg")
    asked = learned(shared_kb, viewer, "Vad har vi lärt oss om exit tickets?")
    topic = learned(shared_kb, viewer, "exit tickets")
    assert [m["source"] for g in asked["groups"] for m in g["meetings"]] == [
        m["source"] for g in topic["groups"] for m in g["meetings"]
    ]


def test_a_meeting_never_used_material_shared_after_its_day(shared_kb):
    from dataclasses import replace
    from datetime import timedelta

    from kb.features.learned.queries import related_material

    catalog = shared_kb.indexes.catalog()
    docs = list(catalog.docs.values())
    for reflection in (d for d in docs if d.kind == "reflection" and d.date):
        material = [d for d in docs if d.kind == "material"]
        used = related_material(material, reflection, reflection.title)
        if not used:
            continue
        before = next(d for d in material if d.source == used[0]["source"])
        later = replace(
            before,
            id=-1,
            source="material/uploads/senare-uppladdad.md",
            date=reflection.date + timedelta(days=54),
        )
        listed = related_material([*material, later], reflection, reflection.title)
        assert later.source not in {m["source"] for m in listed}
        return
    pytest.fail("no meeting in the sample used any material")
