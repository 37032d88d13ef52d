"""Who knows about X, mentors for newcomers, and knowledge held by one person only."""

from __future__ import annotations

from datetime import date

import pytest

from kb.access import Viewer
from kb.expertise.experts import DocVote, SkillMatch, rank_experts
from kb.expertise.mentors import Colleague, is_newcomer, match_all, suggest_mentors
from kb.expertise.risk import TopicDoc, find_topics, truck_factor
from kb.features.experts.queries import experts as find_experts
from kb.features.mentors.queries import mentors
from kb.features.risk.queries import risk, what_if_leaves

TODAY = date(2026, 11, 1)
OUTSIDER = Viewer(person_id="eval.viewer", unit="Utvärderingsenheten")
# Karin Sjöberg is the sample bundle's coordinator: she may see risk and everyone's mentors.
COORDINATOR = Viewer(person_id="karin.sjoberg", unit="Ängsskolan")


# ------------------------------------------------------------------ experts
def test_documents_vote_for_their_authors_weighted_by_score():
    votes = [
        DocVote("a.md", "A", "material", 1.0, (("anna", "first_author"),)),
        DocVote("b.md", "B", "material", 0.5, (("per", "first_author"),)),
    ]
    ranked = rank_experts(votes, [], {"anna": "Anna", "per": "Per"})
    assert [e.person_id for e in ranked] == ["anna", "per"]


def test_a_first_author_outweighs_someone_only_named_in_the_text():
    votes = [DocVote("a.md", "A", "reflection", 1.0, (("anna", "first_author"), ("per", "named")))]
    ranked = rank_experts(votes, [], {"anna": "Anna", "per": "Per"})
    assert ranked[0].person_id == "anna" and ranked[1].score < ranked[0].score


def test_a_declared_skill_without_evidence_counts_less_than_one_backed_by_material():
    votes = [DocVote("a.md", "A", "material", 0.1, (("anna", "first_author"),))]
    skills = [SkillMatch("anna", "schack", 4, 1.0), SkillMatch("per", "schack", 4, 1.0)]
    ranked = {e.person_id: e for e in rank_experts(votes, skills, {"anna": "A", "per": "P"})}
    assert ranked["anna"].score > ranked["per"].score
    assert "no shared material" in ranked["per"].skills[0].why


def test_a_skill_that_does_not_match_the_question_adds_nothing():
    ranked = rank_experts([], [SkillMatch("per", "dans", 5, 0.1)], {"per": "Per"})
    assert ranked == []


def test_every_expert_comes_with_evidence_that_says_why(kb):
    experts = find_experts(kb, OUTSIDER, "exit tickets")
    assert experts[0].person_id == "karin.sjoberg"
    for expert in experts[:3]:
        assert expert.evidence or expert.skills
        assert all(ev.why for ev in expert.evidence)


def test_expert_evidence_never_includes_a_document_the_asker_may_not_open(kb):
    catalog = kb.indexes.catalog()
    for question in ("mentorsprogram utvärdering", "NPF fortbildning", "sambedömning protokoll"):
        for expert in find_experts(kb, OUTSIDER, question):
            for ev in expert.evidence:
                assert catalog.may_open(OUTSIDER, ev.source), ev.source


def test_someone_named_in_a_reflection_gets_it_as_evidence(kb):
    experts = {e.person_id: e for e in find_experts(kb, OUTSIDER, "sambedömning och betygssamtal")}
    maria = experts["maria.holmgren"]
    assert any("named" in ev.why for ev in maria.evidence)


# ------------------------------------------------------------------ mentors
def colleague(pid, **kw):
    base = dict(
        id=pid,
        name=pid.title(),
        unit="Skolan",
        subjects=("matematik",),
        grades=("4-6",),
        started=date(2010, 8, 1),
        mentor=True,
        mentor_capacity=1,
        mentees=0,
        newcomer_mark=None,
        skills=(),
        evidence_by_subject={},
    )
    base.update(kw)
    return Colleague(**base)


NEW = colleague("ny", started=date(2026, 8, 10), mentor=False)


def mentor_ids(people, newcomer=NEW):
    return [m.person_id for m in suggest_mentors(newcomer, people, TODAY, 12)]


def test_someone_who_has_not_offered_to_mentor_is_never_suggested():
    assert mentor_ids([NEW, colleague("ovillig", mentor=False)]) == []


def test_someone_with_no_capacity_left_is_never_suggested():
    full = colleague("full", mentor_capacity=1, mentees=1)
    zero = colleague("noll", mentor_capacity=0)
    assert mentor_ids([NEW, full, zero]) == []


def test_a_newcomer_is_never_suggested_as_a_mentor():
    other_new = colleague("ocksany", started=date(2026, 1, 10))
    assert mentor_ids([NEW, other_new]) == []


def test_a_colleague_marked_as_newcomer_counts_as_new_whatever_the_start_date():
    assert is_newcomer(colleague("x", newcomer_mark=True), TODAY, 12)
    assert not is_newcomer(colleague("y", started=date(2026, 9, 1), newcomer_mark=False), TODAY, 12)


def test_the_same_stage_and_subjects_rank_above_another_stage():
    near = colleague("nara")
    other_stage = colleague("hogstadiet", grades=("7-9",))
    assert mentor_ids([NEW, other_stage, near]) == ["nara", "hogstadiet"]


def test_someone_from_another_unit_who_does_not_fit_is_never_suggested():
    far = colleague("gymnasiet", unit="Gymnasiet", grades=("gymnasiet",), subjects=("kemi",))
    assert mentor_ids([NEW, far, colleague("nara")]) == ["nara"]


def test_another_unit_comes_in_only_when_nobody_at_the_newcomers_unit_fits():
    far = colleague("annan", unit="Ekskolan")
    unfit = colleague("svenska", subjects=("svenska",))
    assert mentor_ids([NEW, far, colleague("nara")]) == ["nara"]
    suggestions = suggest_mentors(NEW, [NEW, far, unfit], TODAY, 12)
    assert [s.person_id for s in suggestions] == ["annan", "svenska"]
    assert suggestions[0].other_unit
    assert any(r.code == "other_unit" for r in suggestions[0].reasons)


def test_every_suggestion_has_reasons_a_person_can_read():
    suggestion = suggest_mentors(NEW, [NEW, colleague("nara")], TODAY, 12)[0]
    assert any("matematik" in r for r in suggestion.reasons)
    assert any("Skolan" in r for r in suggestion.reasons)


def test_matching_all_newcomers_respects_every_capacity():
    new2 = colleague("ny2", started=date(2026, 8, 10), mentor=False)
    only = colleague("ende", mentor_capacity=1)
    matches = match_all([NEW, new2], [NEW, new2, only], TODAY, 12)
    assigned = [m.mentor_id for m in matches]
    assert assigned.count("ende") == 1 and None in assigned


def test_sample_newcomers_get_a_good_mentor_first(kb):
    assert mentors(kb, COORDINATOR, "noah.berg")[0].person_id == "johan.lindqvist"
    top = [m.person_id for m in mentors(kb, COORDINATOR, "leila.karimi")]
    assert "hanna.berglund" not in top and "noah.berg" not in top


def test_mentors_for_an_unknown_person_raise_a_clear_error(kb):
    from kb.service import UnknownPerson

    with pytest.raises(UnknownPerson):
        mentors(kb, COORDINATOR, "nobody")


# ------------------------------------------------------------------ risk
def doc(source, *authors, labels=("schack",)):
    return TopicDoc(source, tuple(authors), tuple(labels), ())


def test_a_topic_only_one_person_wrote_about_has_a_single_holder():
    topics = find_topics([doc("a", "dragan"), doc("b", "dragan")], {})
    assert topics[0].holders == ("dragan",) and topics[0].single
    assert topics[0].truck_factor == 1


def test_a_shared_topic_with_several_authors_is_not_single_holder():
    topics = find_topics([doc("a", "karin"), doc("b", "johan"), doc("c", "karin", "johan")], {})
    assert set(topics[0].holders) == {"karin", "johan"} and not topics[0].single


def test_a_declared_skill_alone_is_said_to_be_only_ones_own_word_not_a_holding():
    topics = find_topics([doc("a", "lars"), doc("b", "lars")], {"sofia": [("schack", 4)]})
    assert topics[0].holders == ("lars",) and topics[0].declared_only == ("sofia",)


def test_a_skill_known_only_in_someones_head_is_a_topic_without_sources():
    topics = find_topics([], {"eva": [("teckenspråk", 5)]})
    assert topics[0].name == "teckenspråk" and topics[0].sources == ()
    assert topics[0].holders == () and topics[0].declared_only == ("eva",)


def test_truck_factor_counts_holders_whose_leaving_orphans_most_documents():
    docs = [doc("a", "x"), doc("b", "y"), doc("c", "x", "y")]
    assert truck_factor(["x", "y"], docs, set()) == 2


def test_the_sample_single_holder_topics_are_found(kb):
    single = {t.holders[0]: t for t in risk(kb, COORDINATOR) if t.single}
    assert "material/lattlast/vad-gor-en-text-lattlast.md" in single["lars.wallin"].sources
    assert "material/schack/schack-i-matematiken.pdf" in single["dragan.petrovic"].sources


def test_shared_sample_topics_are_not_called_single_holder(kb):
    for topic in risk(kb, COORDINATOR):
        if "material/bedomning/exit-tickets-guide.md" in topic.sources:
            assert not topic.single


def test_risk_topics_never_name_a_source_the_asker_may_not_open(kb):
    catalog = kb.indexes.catalog()
    for topic in risk(kb, COORDINATOR):
        assert all(catalog.may_open(COORDINATOR, s) for s in topic.sources)


def test_what_if_someone_leaves_lists_what_goes_with_them_first(kb):
    topics = what_if_leaves(kb, COORDINATOR, "dragan.petrovic")
    assert topics[0].holders == ("dragan.petrovic",)
    assert all("dragan.petrovic" in t.holders for t in topics)


def test_one_shared_generic_word_does_not_make_a_skill_name_an_area():
    docs = [
        doc("a", "karin", labels=("exit tickets", "formativ bedömning")),
        doc("b", "karin", labels=("exit tickets", "formativ bedömning")),
    ]
    topics = find_topics(docs, {"hanna": [("betygssamtal och sambedömning", 4)]})
    area = next(t for t in topics if t.sources)
    assert "hanna" not in area.holders


def test_a_school_subject_is_not_an_area_and_a_subject_skill_names_none():
    docs = [
        TopicDoc("a", ("dragan",), ("schack", "matematik"), ("matematik",)),
        TopicDoc("b", ("dragan",), ("schack",), ("matematik",)),
    ]
    topics = find_topics(docs, {"noah": [("matematik", 3)]})
    assert [t.holders for t in topics] == [("dragan",)]


def test_no_two_sample_topics_share_a_name(kb):
    names = [t.name.casefold() for t in risk(kb, COORDINATOR)]
    assert len(names) == len(set(names))


def test_a_colleague_is_named_only_by_their_whole_name():
    from kb.expertise.experts import named_people

    names = {"lena": "Lena Holmberg", "holm": "Lena Holm", "per": "Per Nyberg", "eva": "Eva"}
    text = "Lena Holmberg bjöd in Per Nyberg. Eva kom också."
    assert named_people(text, names) == {"lena", "per"}
