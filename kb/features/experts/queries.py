"""Gather what the experts ranking needs from the database and the search, for one asker."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from kb.expertise.experts import DocVote, Expert, SkillMatch, named_people, rank_experts, roles_in
from kb.expertise.terms import coverage
from kb.models import Document, Person, Skill
from kb.search.access import Viewer
from kb.search.hybrid import SearchRequest
from kb.service import KnowledgeBase

EXPERT_DOCUMENTS = 20
# Documents scoring below this share of the best one are too weak to vote.
MIN_RELATIVE_SCORE = 0.35


def experts(kb: KnowledgeBase, viewer: Viewer, question: str, limit: int = 10) -> list[Expert]:
    """Rank who knows about a question from what the asker may open and declared skills."""
    question = (question or "").strip()
    if not question:
        return []
    result = kb.search(SearchRequest(text=question, viewer=viewer, limit=EXPERT_DOCUMENTS))
    names = kb.profile_names()
    hits = list(result.hits)
    best = max((h.score for h in hits), default=0.0)
    hits = [h for h in hits if best and h.score >= MIN_RELATIVE_SCORE * best]
    catalog = kb.catalog()
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
    votes = []
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
    ranked = rank_experts(votes, skills, names, limit)
    # The search already filters; checking again costs little and guards every answer.
    visible = {catalog.docs[d].source for d in catalog.visible(viewer)}
    return [
        replace(e, evidence=tuple(ev for ev in e.evidence if ev.source in visible)) for e in ranked
    ]
