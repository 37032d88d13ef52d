"""Owners and review dates, search gaps and material requests: the rules, on small bundles."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kb.access import Viewer
from kb.config import ConfigError, load_settings
from kb.upkeep.gaps import gap_key

TODAY = "2026-11-01"
ANNA = Viewer("anna.lind", "Björkskolan")
PER = Viewer("per.ek", "Björkskolan")
SARA = Viewer("sara.berg", "Ekskolan")
NOW = datetime(2026, 11, 1, 10, 0)


@pytest.fixture
def school(bundle):
    """A bundle of three colleagues and three documents, one past its review date."""
    bundle.doc("material/ny.md", "Läsloggar i årskurs 4.", authors=["anna.lind"], date="2026-09-01")
    bundle.doc(
        "material/gammal.md", "Exit tickets i matematik.", authors=["per.ek"], date="2024-01-10"
    )
    bundle.doc(
        "material/delad.md",
        "Boksamtal i helklass.",
        authors=["anna.lind"],
        owners=["anna.lind", "per.ek"],
        reviewed="2026-01-15",
        review_by="2026-06-01",
    )
    return bundle


@pytest.fixture
def base(make_kb, school):
    kb = make_kb(today=TODAY)
    kb.documents.ingest(school.root)
    return kb


def state(kb, source):
    return kb.upkeep.freshness_of(Viewer.system(), [source])[source]


# ------------------------------------------------------------------ owners and review dates
def test_a_document_is_owned_by_its_authors_unless_owners_are_set(base):
    assert state(base, "material/ny.md").owners == ("anna.lind",)
    assert state(base, "material/delad.md").owners == ("anna.lind", "per.ek")


def test_material_a_year_past_its_date_and_unreviewed_is_overdue(base):
    assert state(base, "material/gammal.md").overdue
    assert state(base, "material/gammal.md").review_by == date(2024, 1, 10) + timedelta(days=365)
    assert not state(base, "material/ny.md").overdue


def test_review_by_in_the_front_matter_is_the_review_date(base):
    shared = state(base, "material/delad.md")
    assert (shared.reviewed, shared.review_by, shared.overdue) == (
        date(2026, 1, 15),
        date(2026, 6, 1),
        True,
    )


def test_the_review_interval_per_kind_comes_from_kb_toml(make_kb, school, tmp_path):
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / "kb.toml").write_text("review_days_material = 30\n")
    kb = make_kb("short", today=TODAY)
    kb.documents.ingest(school.root)
    assert state(kb, "material/ny.md").review_by == date(2026, 10, 1)
    assert state(kb, "material/ny.md").overdue


@pytest.mark.parametrize("value", ["0", "-5", '"ett år"', "1.5"])
def test_a_review_interval_that_is_no_positive_whole_number_is_refused(tmp_path, value):
    (tmp_path / "kb.toml").write_text(f"review_days_material = {value}\n")
    with pytest.raises(ConfigError, match="review_days_material"):
        load_settings(tmp_path)


def test_marking_reviewed_dates_it_and_moves_the_review_date_a_kinds_interval_on(base):
    assert base.documents.store.mark_reviewed("material/gammal.md", date(2026, 11, 1))
    marked = state(base, "material/gammal.md")
    assert (marked.reviewed, marked.review_by, marked.overdue) == (
        date(2026, 11, 1),
        date(2027, 11, 1),
        False,
    )


def test_a_review_marked_on_the_web_survives_re_ingesting_the_same_bundle(base, school):
    base.documents.store.mark_reviewed("material/gammal.md", date(2026, 11, 1))
    base.documents.ingest(school.root)
    assert state(base, "material/gammal.md").reviewed == date(2026, 11, 1)


def test_a_review_is_no_new_version_of_the_document(base):
    with base.db.read() as session:
        before = session.execute(text("SELECT revision FROM documents")).scalars().all()
    base.documents.store.mark_reviewed("material/gammal.md", date(2026, 11, 1))
    with base.db.read() as session:
        assert session.execute(text("SELECT revision FROM documents")).scalars().all() == before


def test_an_owner_who_left_leaves_their_documents_unowned(base, school):
    school.people(
        [
            {"id": "anna.lind", "name": "Anna Lind", "unit": "Björkskolan"},
            {"id": "per.ek", "name": "Per Ek", "unit": "Björkskolan", "left": "2026-10-01"},
            {"id": "sara.berg", "name": "Sara Berg", "unit": "Ekskolan"},
        ]
    )
    base.documents.ingest(school.root)
    gone = state(base, "material/gammal.md")
    assert (gone.owners, gone.former_owners, gone.unowned) == ((), ("per.ek",), True)
    assert not state(base, "material/delad.md").unowned  # Anna still owns it
    assert [s.source for s in base.upkeep.unowned(Viewer.system())] == ["material/gammal.md"]


def test_what_if_someone_leaves_names_the_documents_only_they_own(base):
    from kb.upkeep.freshness import unowned_if_leaves

    states = base.upkeep.freshness(Viewer.system())
    assert [s.source for s in unowned_if_leaves(states, "per.ek")] == ["material/gammal.md"]
    assert [s.source for s in unowned_if_leaves(states, "anna.lind")] == ["material/ny.md"]


def test_bad_owners_and_review_dates_are_named_problem_lines(make_kb, bundle):
    bundle.doc("material/a.md", owners=["nobody.here"], reviewed="i fjol", review_by="2020-13-01")
    report = make_kb().documents.ingest(bundle.root)
    lines = "\n".join(report.lines())
    assert "owner id 'nobody.here' is not in people.yaml; ignored" in lines
    assert "'reviewed' is not a date (YYYY-MM-DD): 'i fjol'; ignored" in lines
    assert "'review_by' is not a date" in lines
    assert report.material.added == 1


# ------------------------------------------------------------------ search gaps
def test_a_search_gap_stores_no_identity_of_who_asked(base):
    base.upkeep.record_search(ANNA, "veckoplanering för NPF", 0, now=NOW)
    base.upkeep.record_search(PER, "veckoplanering NPF", 0, now=NOW)
    base.upkeep.search_log.flush()  # what the writer thread does within a second
    with base.db.read() as session:
        rows = [
            repr(tuple(row))
            for table in ("search_gaps", "gap_askers", "gap_weeks", "pending_searches")
            for row in session.execute(text(f"SELECT * FROM {table}"))
        ]
    stored = "\n".join(rows).lower()
    assert rows and "veckoplanering" in stored
    for who in ("anna", "lind", "per.ek", "björkskolan"):
        assert who not in stored


def test_a_gap_shows_only_once_two_different_people_asked(base):
    for _ in range(3):
        base.upkeep.record_search(ANNA, "veckoplanering NPF", 0, now=NOW)
    assert base.upkeep.search_gaps(now=NOW) == []
    base.upkeep.record_search(PER, "veckoplanering NPF", 0, now=NOW)
    (gap,) = base.upkeep.search_gaps(now=NOW)
    assert (gap.askers, gap.searches, gap.weeks) == (2, 4, ((date(2026, 10, 26), 4),))


def test_inflections_word_order_and_stop_words_make_one_gap():
    assert gap_key("Veckoplaneringen för elever med NPF") == gap_key("NPF elevers veckoplanering")


def test_a_search_whose_hit_was_opened_is_no_gap(base):
    for viewer in (ANNA, PER):
        token = base.upkeep.record_search(viewer, "exit tickets", 3, now=NOW)
        assert base.upkeep.record_click(token)
    assert base.upkeep.search_gaps(now=NOW + timedelta(hours=2)) == []


def test_a_search_with_hits_nobody_opened_is_a_gap_once_the_click_window_passed(base):
    for viewer in (ANNA, PER):
        base.upkeep.record_search(viewer, "exit tickets", 3, now=NOW)
    assert base.upkeep.search_gaps(now=NOW + timedelta(minutes=5)) == []
    (gap,) = base.upkeep.search_gaps(now=NOW + timedelta(minutes=31))
    assert (gap.text, gap.askers) == ("exit tickets", 2)
    with base.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM pending_searches")).scalar() == 0


def test_the_command_line_and_the_system_are_never_counted(base):
    assert base.upkeep.record_search(Viewer.system(), "veckoplanering", 0, now=NOW) is None
    with base.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM search_gaps")).scalar() == 0


# ------------------------------------------------------------------ material requests
def test_a_request_is_closed_by_the_material_that_answers_it(base):
    number = base.upkeep.ask_material(SARA, "Veckoplanering för elever med NPF")
    assert [a.answer for a in base.upkeep.material_requests(ANNA)] == [None]
    base.upkeep.answer_request(ANNA, number, "material/ny.md")
    (closed,) = base.upkeep.material_requests(SARA)
    assert (closed.answer, closed.answered_on) == ("material/ny.md", date(2026, 11, 1))
    assert [a.id for a in base.upkeep.requests_answered_by(SARA, "material/ny.md")] == [number]


def test_each_colleague_votes_once_and_the_asker_has_voted(base):
    number = base.upkeep.ask_material(SARA, "Veckoplanering för elever med NPF")
    assert base.upkeep.vote_request(PER, number)
    assert not base.upkeep.vote_request(PER, number)
    assert not base.upkeep.vote_request(SARA, number)
    assert base.upkeep.material_requests(ANNA)[0].votes == ("sara.berg", "per.ek")


def test_material_a_colleague_may_not_open_does_not_answer_their_request(base, school):
    school.doc("material/hemlig.md", "Plan.", authors=["anna.lind"], visibility="private")
    base.documents.ingest(school.root)
    number = base.upkeep.ask_material(SARA, "Veckoplanering")
    base.upkeep.answer_request(ANNA, number, "material/hemlig.md")
    assert base.upkeep.material_requests(SARA)[0].answer is None
    assert base.upkeep.requests_answered_by(SARA, "material/hemlig.md") == []
    assert base.upkeep.material_requests(ANNA)[0].answer == "material/hemlig.md"


# ------------------------------------------------------------------ the bundle round trip
def test_export_then_ingest_keeps_owners_review_dates_and_open_requests(base, make_kb, tmp_path):
    base.documents.store.set_owners("material/ny.md", ["sara.berg"])
    base.documents.store.mark_reviewed("material/gammal.md", date(2026, 10, 30))
    open_one = base.upkeep.ask_material(SARA, "Veckoplanering för elever med NPF")
    base.upkeep.vote_request(PER, open_one)
    base.upkeep.suggest_expert(open_one, "anna.lind")
    closed = base.upkeep.ask_material(PER, "Läsloggar")
    base.upkeep.answer_request(PER, closed, "material/ny.md")
    out = tmp_path / "out"
    base.documents.export(out)
    check = subprocess.run(
        [sys.executable, str(Path("/work/shared/check_bundle.py")), str(out)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    again = make_kb("again", today=TODAY)
    again.documents.ingest(out)
    before = {s.source: s for s in base.upkeep.freshness(Viewer.system())}
    after = {s.source: s for s in again.upkeep.freshness(Viewer.system())}
    assert after == before
    assert [
        (a.question, a.asked_by, a.votes, a.experts, a.answer)
        for a in again.upkeep.material_requests(PER)
    ] == [
        (a.question, a.asked_by, a.votes, a.experts, a.answer)
        for a in base.upkeep.material_requests(PER)
    ]


def test_ingesting_the_same_requests_twice_adds_them_once(base, tmp_path):
    base.upkeep.ask_material(SARA, "Veckoplanering")
    base.documents.export(tmp_path / "out")
    report = base.documents.ingest(tmp_path / "out")
    assert (report.requests.added, report.requests.unchanged) == (0, 1)
    assert len(base.upkeep.material_requests(SARA)) == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("- question: [", "requests.yaml: does not parse"),
        ("question: hej", "requests.yaml: is not a list of requests"),
        (
            "- {question: Hej, asked_by: nobody, asked_on: 2026-01-01}",
            "asked_by 'nobody' is not in people.yaml; not imported",
        ),
        ("- {asked_by: per.ek, asked_on: 2026-01-01}", "required field 'question' is missing"),
    ],
)
def test_a_bad_requests_file_is_a_named_problem_and_the_rest_is_imported(
    make_kb, school, content, reason
):
    school.write("requests.yaml", content)
    report = make_kb().documents.ingest(school.root)
    assert reason in "\n".join(report.lines())
    assert report.material.added == 3


def test_a_search_is_counted_by_the_writer_within_seconds_without_anyone_reading_the_gaps(base):
    base.upkeep.record_search(ANNA, "veckoplanering för NPF", 0, now=NOW)
    deadline = time.monotonic() + 10
    while True:
        with base.db.read() as session:
            if session.execute(text("SELECT count(*) FROM search_gaps")).scalar():
                break
        assert time.monotonic() < deadline, "the search was never written"
        time.sleep(0.1)


def test_a_search_answers_while_the_database_is_held_by_a_writer(base):
    with base.db.write() as session:  # an ingest's transaction holds the write lock
        session.execute(text("UPDATE search_gaps SET searches = searches"))
        started = time.monotonic()
        token = base.upkeep.record_search(ANNA, "exit tickets", 3, now=NOW)
        assert time.monotonic() - started < 0.5
        assert token
