"""Gather what the expertise rules need from the database and the search, for one asker."""

from __future__ import annotations

from sqlalchemy import func, select

from kb.expertise.experts import DocVote, Expert, SkillMatch, named_people, rank_experts, roles_in
from kb.expertise.mentors import (
    Colleague,
    MentorMatch,
    MentorSuggestion,
    is_newcomer,
    match_all,
    suggest_mentors,
)
from kb.expertise.risk import Topic, TopicDoc, find_topics
from kb.expertise.risk import what_if_leaves as topics_held_by
from kb.expertise.terms import coverage
from kb.models import Document, Mentorship, Person, Skill
from kb.search.access import Viewer, may_read
from kb.search.catalog import Filters
from kb.search.hybrid import SearchRequest

EXPERT_DOCUMENTS = 20
# Documents scoring below this share of the best one are too weak to vote.
MIN_RELATIVE_SCORE = 0.35


def people_names(kb) -> dict[str, str]:
    """Return {id: name} of everyone with a profile."""
    with kb.sessions() as session:
        return dict(session.execute(select(Person.id, Person.name).where(Person.has_profile)).all())


def experts(kb, question: str, viewer: Viewer, limit: int = 10) -> list[Expert]:
    """Rank who knows about a question from what the asker may open and declared skills."""
    result = kb.search(SearchRequest(text=question, viewer=viewer, limit=EXPERT_DOCUMENTS))
    names = people_names(kb)
    hits = list(result.hits)
    best = max((h.score for h in hits), default=0.0)
    hits = [h for h in hits if best and h.score >= MIN_RELATIVE_SCORE * best]
    catalog = kb.catalog()
    votes = []
    with kb.sessions() as session:
        texts = (
            dict(
                session.execute(
                    select(Document.id, Document.text).where(
                        Document.id.in_([h.doc_id for h in hits])
                    )
                ).all()
            )
            if hits
            else {}
        )
        skill_rows = session.execute(
            select(Skill.person_id, Skill.name, Skill.level).join(Person).where(Person.has_profile)
        ).all()
    for hit in hits:
        info = catalog.docs[hit.doc_id]
        named = named_people(texts.get(hit.doc_id, ""), names)
        votes.append(
            DocVote(
                source=hit.source,
                title=hit.title,
                kind=hit.kind,
                score=hit.score / best,
                people=tuple(roles_in(info.kind, info.authors, named)),
            )
        )
    skills = [
        SkillMatch(pid, name, level, coverage(question, name)) for pid, name, level in skill_rows
    ]
    return rank_experts(votes, skills, names, limit)


def colleagues(kb, viewer: Viewer) -> dict[str, Colleague]:
    """Return every colleague with a profile, with their evidence counted per subject."""
    catalog = kb.catalog()
    evidence: dict[str, dict[str, int]] = {}
    for doc in catalog.docs.values():
        if not may_read(viewer, doc.readers):
            continue
        for author in doc.authors:
            for subject in doc.subjects:
                per = evidence.setdefault(author, {})
                per[subject] = per.get(subject, 0) + 1
    with kb.sessions() as session:
        mentees = dict(
            session.execute(
                select(Mentorship.mentor_id, func.count()).group_by(Mentorship.mentor_id)
            ).all()
        )
        out = {}
        for p in session.scalars(select(Person).where(Person.has_profile)):
            out[p.id] = Colleague(
                id=p.id,
                name=p.name,
                unit=p.unit,
                subjects=tuple(p.subjects or ()),
                grades=tuple(p.grades or ()),
                started=p.started,
                mentor=bool(p.mentor),
                mentor_capacity=p.mentor_capacity,
                mentees=mentees.get(p.id, 0),
                newcomer_mark=p.newcomer,
                skills=tuple(s.name for s in p.skills),
                evidence_by_subject=evidence.get(p.id, {}),
            )
    return out


def newcomers(kb) -> list[str]:
    """Return the ids of the newcomers: marked so, or started within the configured months."""
    people = colleagues(kb, Viewer.system())
    today, months = kb.settings.as_of, kb.settings.newcomer_months
    return sorted(p.id for p in people.values() if is_newcomer(p, today, months))


def mentors(kb, newcomer_id: str, viewer: Viewer, limit: int = 5) -> list[MentorSuggestion]:
    """Suggest mentors for one newcomer, best fit first, each with reasons."""
    from kb.service import UnknownPerson

    people = colleagues(kb, viewer)
    if newcomer_id not in people:
        raise UnknownPerson(newcomer_id)
    return suggest_mentors(
        people[newcomer_id],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
        limit,
    )


def match_mentors(kb, viewer: Viewer) -> list[MentorMatch]:
    """Match every newcomer with a mentor at once, within every mentor's capacity."""
    people = colleagues(kb, viewer)
    ids = newcomers(kb)
    return match_all(
        [people[i] for i in ids],
        list(people.values()),
        kb.settings.as_of,
        kb.settings.newcomer_months,
    )


def risk(kb, viewer: Viewer) -> list[Topic]:
    """Return the knowledge areas the asker may see, single-holder ones first."""
    catalog = kb.catalog()
    visible = [catalog.docs[i] for i in catalog.visible(viewer, Filters())]
    docs = [
        TopicDoc(
            source=d.source,
            authors=d.authors,
            labels=d.tags + ((d.group,) if d.group else ()),
            subjects=d.subjects,
        )
        for d in visible
    ]
    with kb.sessions() as session:
        rows = session.execute(
            select(Skill.person_id, Skill.name, Skill.level).join(Person).where(Person.has_profile)
        ).all()
    skills: dict[str, list[tuple[str, int]]] = {}
    for pid, name, level in rows:
        skills.setdefault(pid, []).append((name, level))
    return find_topics(docs, skills)


def what_if_leaves(kb, person_id: str, viewer: Viewer) -> list[Topic]:
    """Return what goes with a person: the topics they hold, the unheld-after first."""
    return topics_held_by(person_id, risk(kb, viewer))
