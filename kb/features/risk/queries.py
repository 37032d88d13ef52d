"""Gather the documents and skills the risk rules weigh, for one asker."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from kb.access import Viewer
from kb.accounts import require_coordinator
from kb.catalog import Filters
from kb.expertise.mentors import started_recently
from kb.expertise.risk import Topic, TopicDoc, find_topics
from kb.expertise.risk import what_if_leaves as topics_held_by
from kb.limits import MAX_LABELS
from kb.service import KnowledgeBase
from kb.upkeep.freshness import entries, unowned_if_leaves

# How many of `Vem kan?`'s people an area's words are asked for (all that could hold it).
ASK_LIMIT = 100
# The last answer per catalog (a new catalog after every change of documents).
_AREAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class RiskAnswer:
    """The knowledge areas, most at risk first, and what goes if one person leaves."""

    topics: list[Topic]
    names: dict[str, str]
    people: list[dict]
    leaving: dict | None
    lost: list[Topic]
    # Review states (kb.upkeep.freshness entries): what nobody still here owns, and what
    # would have no owner if `leaving` left.
    unowned: list[dict] = ()
    orphaned: list[dict] = ()


def risk(kb: KnowledgeBase, viewer: Viewer) -> list[Topic]:
    """Return the knowledge areas the asker may see, those with fewest holders first.

    Only a coordinator may ask (NotCoordinator otherwise): who alone holds what, and what
    goes when someone leaves, is for those who can act on it.
    """
    require_coordinator(kb, viewer, "knowledge risk")
    catalog = kb.indexes.catalog()
    visible = [catalog.docs[i] for i in catalog.visible(viewer, Filters())]
    docs = [
        TopicDoc(
            source=d.source,
            authors=d.authors,
            # At most MAX_LABELS tags each: one stored before the limit must not slow this.
            labels=d.tags[:MAX_LABELS] + ((d.group,) if d.group else ()),
            subjects=d.subjects,
            kind=d.kind,
        )
        for d in visible
    ]
    today, months = kb.settings.as_of, kb.settings.newcomer_months
    rows = kb.people.skill_rows()
    people = kb.people.stages()
    skills: dict[str, list[tuple[str, int]]] = {}
    for pid, name, level in rows:
        skills.setdefault(pid, []).append((name, level))
    new = frozenset(p.id for p in people if started_recently(p.started, p.newcomer, today, months))
    gone = frozenset(p.id for p in people if p.left is not None and p.left <= today)
    # The areas follow only from the documents (the catalog), the skills, who is new or gone
    # and the asker: asking `Vem kan?` for every area's words again for the same is waste.
    key = (viewer, today, tuple(sorted(rows)), new, gone)
    cached = _AREAS.get(catalog)
    if cached and cached[0] == key:
        return cached[1]
    answers: dict[str, list] = {}

    def ask(words: str) -> list:
        # `Vem kan?` itself, for the same asker: the holders are whom it lists (holding.py).
        if words not in answers:
            answers[words] = kb.expertise.experts(viewer, words, limit=ASK_LIMIT)
        return answers[words]

    topics = find_topics(docs, skills, newcomers=new, gone=gone, ask=ask)
    _AREAS[catalog] = (key, topics)
    return topics


def what_if_leaves(kb: KnowledgeBase, viewer: Viewer, person_id: str) -> list[Topic]:
    """Return what goes with a person: the topics they hold, the unheld-after first."""
    return topics_held_by(person_id, risk(kb, viewer))


def risk_answer(kb: KnowledgeBase, viewer: Viewer, leaving: str | None = None) -> RiskAnswer:
    """Return every area and, when a colleague with a profile is named, what they would take."""
    topics = risk(kb, viewer)
    people = kb.people.profile_refs()
    gone = next((p for p in people if p["id"] == leaving), None) if leaving else None
    lost = topics_held_by(gone["id"], topics) if gone else []
    names = kb.people.person_names([h for t in topics for h in (*t.holders, *t.declared_only)])
    states = kb.upkeep.freshness(viewer)
    unowned = entries([s for s in states if s.unowned], kb.people.person_names)
    orphaned = (
        entries(unowned_if_leaves(states, gone["id"]), kb.people.person_names) if gone else []
    )
    return RiskAnswer(topics, names, people, gone, lost, unowned, orphaned)
