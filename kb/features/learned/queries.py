"""Find the reflections on a question and the material each of them used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.access import Viewer
from kb.catalog import DocInfo, Filters
from kb.search.query.hybrid import SearchRequest
from kb.service import KnowledgeBase
from kb.services.finder import answer_groups
from kb.text.questions import learned_topic, wants_learned

LEARNED_LIMIT = 12
RELATED_LIMIT = 4


@dataclass(frozen=True)
class Meeting:
    """One reflection: its brief, its take-away (Markdown) and the material it used."""

    brief: dict
    take_away: str | None
    material: list[dict]


@dataclass(frozen=True)
class LearningGroup:
    """A learning group's meetings on the question, in time order."""

    name: str | None
    meetings: list[Meeting]


@dataclass(frozen=True)
class LearnedAnswer:
    question: str
    groups: list[LearningGroup]
    count: int
    # The extractive answer above the reflections (kb.services.finder.answer_groups).
    answer: dict | None = None


def related_material(material: list[DocInfo], reflection: DocInfo, text: str) -> list[dict]:
    """Material a reflection mentions by source or title, or by the same authors on its tags.

    Only material there by the meeting's day: a file dated (shared) after it was not used.
    """
    lowered = text.casefold()
    tags = {t.casefold() for t in reflection.tags}
    authors = set(reflection.authors)
    mentioned, shared = [], []
    for info in material:
        if reflection.date and info.date and info.date > reflection.date:
            continue
        stem = info.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if (
            info.source.casefold() in lowered
            or info.title.casefold() in lowered
            or (len(stem) > 8 and stem.casefold() in lowered)
        ):
            mentioned.append(info)
        elif authors & set(info.authors) and tags & {t.casefold() for t in info.tags}:
            shared.append(info)
    ordered = mentioned + sorted(
        shared, key=lambda i: (-len(tags & {t.casefold() for t in i.tags}), i.title)
    )
    return [
        {
            "source": i.source,
            "title": i.title,
            "language": i.language,
            "why": "mentioned" if i in mentioned else "authors",
        }
        for i in ordered[:RELATED_LIMIT]
    ]


def _reflection_ids(kb: KnowledgeBase, viewer: Viewer, question: str, limit: int) -> list[int]:
    """Return the reflections answering the question, best first (newest first without one)."""
    catalog = kb.indexes.catalog()
    if not question:
        return sorted(
            catalog.visible(viewer, Filters(kind="reflection")),
            key=lambda d: catalog.docs[d].date or date.min,
            reverse=True,
        )
    topic = learned_topic(question)
    result = kb.finder.search(
        SearchRequest(
            text=topic,
            viewer=viewer,
            filters=Filters(kind="reflection"),
            limit=limit,
            method=kb.settings.fusion_method,
            each_hit_stands_out=True,
            topic=True,
        )
    )
    # The search's own confidence (kb.search.query.calibration) decides, reflection by reflection;
    # a reflection naming a narrower word of the topic is about it (boksamtal: läsning).
    return [h.doc_id for h in result.hits if h.doc_id in catalog.docs]


def learned(
    kb: KnowledgeBase, viewer: Viewer, question: str, limit: int = LEARNED_LIMIT
) -> LearnedAnswer:
    """Return the reflections on a question, grouped by learning group and ordered in time."""
    question = (question or "").strip()
    catalog = kb.indexes.catalog()
    ids = _reflection_ids(kb, viewer, question, limit)
    material = [catalog.docs[d] for d in catalog.visible(viewer, Filters(kind="material"))]
    rows = kb.documents.take_aways(ids)
    infos = [catalog.docs[d] for d in ids]
    groups: dict[str, list[Meeting]] = {}
    names: dict[str, str | None] = {}
    for info, brief in zip(infos, kb.documents.briefs(infos), strict=True):
        take_away, text = rows.get(info.id, (None, ""))
        key = info.group or ""
        names.setdefault(key, info.group)
        meeting = Meeting(brief, take_away, related_material(material, info, text))
        groups.setdefault(key, []).append(meeting)
    ordered = [
        LearningGroup(
            names[key],
            sorted(meetings, key=lambda m: (m.brief["date"] or date.min, m.brief["title"])),
        )
        for key, meetings in groups.items()
    ]
    answer = None
    if question:
        asked = question if wants_learned(question) else f"vad har vi lärt oss om {question}"
        quoted = kb.finder.quote(asked, ids)
        briefs = {
            b["source"]: b for b in kb.documents.briefs(catalog.docs[q.doc_id] for q in quoted)
        }
        answer = answer_groups(tuple(quoted), briefs, question)
    return LearnedAnswer(question, ordered, len(ids), answer)
