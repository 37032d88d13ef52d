"""What the demo bundle itself says is true shows on the expertise pages: who alone holds what,
who is new, who mentors whom, who knows about what, and only true reasons."""

from __future__ import annotations

import pytest
import yaml

from kb.access import Viewer
from kb.expertise.mentors import STAGES, capacity_left, role_of, shared_subjects, stages_of
from kb.features.experts.queries import experts
from kb.features.mentors.queries import colleagues, mentors, newcomers, running
from kb.features.risk.queries import risk
from tests.conftest import DEMO_BUNDLE
from tests.helpers import open_kb

DEMO_DAY = "2026-11-20"  # the day the demo bundle describes
LENA = Viewer(person_id="lena.holmberg", unit="Lindskolan")  # the demo's coordinator


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = open_kb(tmp_path_factory.mktemp("demo"), DEMO_BUNDLE, people=(), today=DEMO_DAY)
    yield base
    base.close()


def ranked(kb, question, viewer=LENA):
    return [e.person_id for e in experts(kb, viewer, question)]


# ------------------------------------------------------------------ who is new, who mentors whom
def test_the_demos_newcomers_are_amir_and_elias(demo):
    assert newcomers(demo) == ["amir.rahimi", "elias.forsman"]


def test_lena_mentors_amir_and_maria_mentors_elias_as_their_bios_say(demo):
    pairs = {(r.mentor_id, r.mentee_id) for r in running(demo)}
    assert pairs == {("lena.holmberg", "amir.rahimi"), ("maria.sandberg", "elias.forsman")}


def test_a_running_mentorship_takes_one_of_the_mentors_places(demo):
    people = colleagues(demo, Viewer.system())
    assert capacity_left(people["lena.holmberg"]) == 1
    assert capacity_left(people["maria.sandberg"]) == 1


def test_lena_is_the_demos_coordinator(demo):
    from kb import accounts

    assert accounts.account(demo, "lena.holmberg").is_coordinator
    assert not accounts.account(demo, "amir.rahimi").is_coordinator


# ------------------------------------------------------------------ who knows about what
def test_outdoor_teaching_finds_lena_first(demo):
    assert ranked(demo, "utomhuspedagogik")[0] == "lena.holmberg"


def test_outdoor_teaching_does_not_list_samira_for_her_newcomer_material(demo):
    assert "samira.yusuf" not in ranked(demo, "utomhuspedagogik")


def test_newly_arrived_pupils_finds_samira_first(demo):
    assert ranked(demo, "nyanlända elever")[0] == "samira.yusuf"


def test_sign_language_lists_eva_and_nobody_whose_evidence_is_about_something_else(demo):
    found = experts(demo, LENA, "teckenspråk")
    assert [e.person_id for e in found] == ["eva.strand"]
    sources = {ev.source for e in found for ev in e.evidence}
    assert not sources & {
        "material/kallkritik/reverse-image-search.md",
        "material/programmering/scratch-berattelser-4-6.md",
    }


def test_each_piece_of_evidence_is_listed_once_and_says_why_it_is_about_the_question(demo):
    for question in ("utomhuspedagogik", "nyanlända elever", "teckenspråk", "exit tickets"):
        for expert in experts(demo, LENA, question):
            sources = [ev.source for ev in expert.evidence]
            assert len(sources) == len(set(sources))
            assert all(ev.about is not None and ev.title not in ev.why for ev in expert.evidence)
            assert 0 < expert.strength <= 1


def test_a_declared_dari_puts_amir_first_and_lists_only_those_with_evidence(tmp_path):
    people = yaml.safe_load((DEMO_BUNDLE / "people.yaml").read_text(encoding="utf-8"))
    amir = next(p for p in people if p["id"] == "amir.rahimi")
    amir["skills"].append({"name": "dari", "level": 5})
    bundle = tmp_path / "bundle"
    import shutil

    shutil.copytree(DEMO_BUNDLE, bundle)
    (bundle / "people.yaml").write_text(yaml.safe_dump(people, allow_unicode=True))
    kb = open_kb(tmp_path / "inst", bundle, people=(), today=DEMO_DAY)
    try:
        found = experts(kb, LENA, "dari")
        assert found[0].person_id == "amir.rahimi"
        assert len(found) <= len(people) // 2
        assert all(e.evidence or e.skills for e in found)
    finally:
        kb.close()


# ------------------------------------------------------------------ only true reasons
def check_reason(code, values, mentor, newcomer, today):
    """Assert that one reason is a true statement about the two colleagues."""
    if code == "same_stage":
        common = stages_of(mentor) & stages_of(newcomer)
        assert common and set(values["stage"].split(", ")) == common, (mentor.id, values)
        assert common <= set(STAGES)
    elif code == "same_unit":
        assert mentor.unit == newcomer.unit == values["unit"]
    elif code == "other_unit":
        assert mentor.unit != newcomer.unit and values["unit"] == mentor.unit
    elif code == "same_subjects":
        assert values["subjects"] == ", ".join(shared_subjects(mentor, newcomer))
        assert shared_subjects(mentor, newcomer)
    elif code == "same_role":
        assert role_of(mentor) == role_of(newcomer) == values["role"]
    elif code == "room":
        assert values["num"] == capacity_left(mentor) > 0
    elif code == "mentors_now":
        assert values["num"] == mentor.mentees == len(mentor.mentor_of) > 0
    elif code == "since":
        assert mentor.started.year == values["year"] and (today - mentor.started).days >= 5 * 365
    elif code == "mentoring_experience":
        assert any("mentor" in s.casefold() for s in mentor.skills)
    elif code == "shared_documents":
        mine = {s.casefold() for s in newcomer.subjects}
        docs = sum(n for s, n in mentor.evidence_by_subject.items() if s.casefold() in mine)
        assert values["num"] == docs > 0
    else:
        raise AssertionError(f"unchecked reason code {code}")


def test_every_mentor_reason_is_true_of_the_two_colleagues(demo):
    people = colleagues(demo, LENA)
    today = demo.settings.as_of
    checked = 0
    for newcomer in newcomers(demo):
        for suggestion in mentors(demo, LENA, newcomer):
            for reason in suggestion.reasons:
                check_reason(
                    reason.code,
                    reason.values,
                    people[suggestion.person_id],
                    people[newcomer],
                    today,
                )
                checked += 1
    assert checked > 10


def test_no_f3_or_46_teacher_is_said_to_teach_at_elias_stage(demo):
    people = colleagues(demo, LENA)
    for suggestion in mentors(demo, LENA, "elias.forsman"):
        if any(r.code == "same_stage" for r in suggestion.reasons):
            assert "7-9" in stages_of(people[suggestion.person_id])


def test_elias_gets_a_mentor_from_his_own_school_first(demo):
    first = mentors(demo, LENA, "elias.forsman")[0]
    assert first.person_id == "maria.sandberg" and not first.other_unit


def test_nobody_without_room_or_will_is_suggested(demo):
    for newcomer in newcomers(demo):
        ids = {m.person_id for m in mentors(demo, LENA, newcomer)}
        assert not ids & {"samira.yusuf", "henrik.dahl", "amir.rahimi", "elias.forsman"}


# ------------------------------------------------------------------ who alone holds what
def test_eva_alone_holds_swedish_sign_language(demo):
    area = next(t for t in risk(demo, LENA) if "teckenspråk" in t.name)
    assert area.holders == ("eva.strand",) and area.single
    assert "petra.wallin" not in area.holders


def test_outdoor_maths_is_one_area_and_no_newcomer_holds_it(demo):
    areas = [t for t in risk(demo, LENA) if "matematik utomhus" in t.labels]
    assert len(areas) == 1
    assert set(areas[0].holders) == {"lena.holmberg", "oskar.nystrom"}


def test_newcomers_hold_no_area_they_have_not_written_themselves(demo):
    for area in risk(demo, LENA):
        assert "amir.rahimi" not in area.holders and "elias.forsman" not in area.holders


def test_every_area_with_documents_names_a_truck_factor_within_its_holders(demo):
    for area in risk(demo, LENA):
        assert 0 <= area.truck_factor <= len(area.holders)
        if area.single:
            assert area.truck_factor == 1


# ------------------------------------------------------------------ what has gone stale, what is missing
def test_three_demo_materials_are_past_their_review_date_one_of_them_lenas(demo):
    overdue = [s.source for s in demo.upkeep.freshness(Viewer.system()) if s.overdue]
    assert overdue == [
        "material/formativ-bedomning/trafikljus-och-exit-tickets-7-9.md",
        "material/matematik-utomhus/matematik-i-skogen-f-3.md",
        "material/programmering/scratch-berattelser-4-6.md",
    ]
    assert [s.source for s in demo.upkeep.overdue_for(LENA)] == [
        "material/matematik-utomhus/matematik-i-skogen-f-3.md"
    ]


def test_lena_keeps_the_lindskolan_routine_she_wrote_with_petra(demo):
    routine = "material/npf/rutin-extra-anpassningar-lindskolan.md"
    assert demo.upkeep.freshness_of(LENA, [routine])[routine].owners == ("lena.holmberg",)


def test_the_newcomers_requests_are_open_and_the_one_on_arrival_is_answered(demo):
    found = {a.question: a for a in demo.upkeep.material_requests(LENA)}
    assert found["Veckoschema med bildstöd för elever med NPF i F–3"].votes == (
        "amir.rahimi",
        "elias.forsman",
        "samira.yusuf",
    )
    assert found["Utvecklingssamtal med vårdnadshavare som inte talar svenska"].answer is None
    answered = found["Hur tar vi emot en nyanländ elev de första veckorna?"]
    assert answered.answer == "material/nyanlandas-larande/mottagande-forsta-veckorna.md"


# ------------------------------------------------------------------ risk and Vem kan? agree
def area_named(kb, label):
    return next(t for t in risk(kb, LENA) if label in t.labels)


def test_henrik_holds_formative_assessment_and_lenas_declared_level_is_only_her_word(demo):
    area = area_named(demo, "formativ bedömning")
    assert "henrik.dahl" in area.holders and "maria.sandberg" in area.holders
    assert "lena.holmberg" not in area.holders
    assert area.declared_only == ("lena.holmberg",)


def test_npf_is_held_by_lena_and_oskar_beside_petra(demo):
    area = area_named(demo, "NPF")
    assert set(area.holders) == {"petra.wallin", "lena.holmberg", "oskar.nystrom"}


def test_if_petra_leaves_npf_stays_with_lena_and_oskar(demo):
    from kb.features.risk.queries import risk_answer

    lost = {t.name: t for t in risk_answer(demo, LENA, "petra.wallin").lost}
    npf = next(t for t in lost.values() if "NPF" in t.labels)
    assert {"lena.holmberg", "oskar.nystrom"} <= set(npf.holders) - {"petra.wallin"}


def test_outdoor_maths_is_listed_once(demo):
    names = [t.name for t in risk(demo, LENA) if "matematik utomhus" in t.name]
    assert names == ["matematik utomhus"]


def test_every_one_person_area_rests_on_a_document(demo):
    single = [t for t in risk(demo, LENA) if t.single]
    assert single and all(t.sources for t in single)
    only_declared = [t for t in risk(demo, LENA) if not t.holders and t.declared_only]
    assert {t.name for t in only_declared} >= {"bokprat", "rastaktiviteter"}
