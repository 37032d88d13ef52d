"""people.yaml's coordinators, running mentorships and leaving dates: read, stored, exported."""

from __future__ import annotations

from datetime import date

import yaml
from sqlalchemy import select

from kb.models import Mentorship, Person

PEOPLE = [
    {"id": "anna.lind", "name": "Anna Lind", "unit": "Björkskolan", "coordinator": True},
    {
        "id": "per.ek",
        "name": "Per Ek",
        "unit": "Björkskolan",
        "mentor": True,
        "mentor_capacity": 2,
        "mentees": ["sara.berg"],
        "left": "2027-06-30",
    },
    {"id": "sara.berg", "name": "Sara Berg", "unit": "Björkskolan", "started": "2026-08-10"},
]


def stored(kb):
    with kb.db.read() as session:
        people = {p.id: p for p in session.scalars(select(Person))}
        pairs = session.execute(select(Mentorship.mentor_id, Mentorship.mentee_id)).all()
        return people, sorted(tuple(p) for p in pairs)


def test_a_coordinator_in_people_yaml_is_stored_as_one(make_kb, bundle):
    bundle.people(PEOPLE)
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    people, _ = stored(kb)
    assert people["anna.lind"].is_coordinator
    assert not people["per.ek"].is_coordinator


def test_mentees_in_people_yaml_are_running_mentorships(make_kb, bundle):
    bundle.people(PEOPLE)
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    assert stored(kb)[1] == [("per.ek", "sara.berg")]


def test_the_day_someone_leaves_is_stored(make_kb, bundle):
    bundle.people(PEOPLE)
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    assert stored(kb)[0]["per.ek"].left == date(2027, 6, 30)


def test_a_mentee_who_is_nobody_is_reported_and_left_out(make_kb, bundle):
    bundle.people([{**PEOPLE[1], "mentees": ["sara.berg", "okand.person"]}, PEOPLE[2]])
    kb = make_kb()
    report = kb.documents.ingest(bundle.root)
    assert any("okand.person" in p.reason and not p.refused for p in report.problems)
    assert stored(kb)[1] == [("per.ek", "sara.berg")]


def test_ending_a_mentorship_in_people_yaml_ends_it_on_the_next_ingest(make_kb, bundle):
    bundle.people(PEOPLE)
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    bundle.people([PEOPLE[0], {**PEOPLE[1], "mentees": []}, PEOPLE[2]])
    kb.documents.ingest(bundle.root)
    assert stored(kb)[1] == []


def test_coordinators_mentorships_and_leaving_survive_export_and_ingest(make_kb, bundle, tmp_path):
    bundle.people(PEOPLE)
    first = make_kb("first")
    first.documents.ingest(bundle.root)
    first.documents.export(tmp_path / "out")
    entries = {e["id"]: e for e in yaml.safe_load((tmp_path / "out/people.yaml").read_text())}
    assert entries["anna.lind"]["coordinator"] is True
    assert entries["per.ek"]["mentees"] == ["sara.berg"]
    second = make_kb("second")
    second.documents.ingest(tmp_path / "out")
    people, pairs = stored(second)
    assert people["anna.lind"].is_coordinator and people["per.ek"].left == date(2027, 6, 30)
    assert pairs == [("per.ek", "sara.berg")]


def test_the_sample_bundle_marks_its_coordinator(kb):
    people, _ = stored(kb)
    assert [p for p in people if people[p].is_coordinator] == ["karin.sjoberg"]
