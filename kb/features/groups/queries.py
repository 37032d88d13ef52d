"""A learning group and a tag, from the documents the viewer may open (and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.access import Viewer
from kb.catalog import DocInfo
from kb.ingest.records import STEPS
from kb.service import KnowledgeBase

MATERIAL_USED = 8


@dataclass(frozen=True)
class Group:
    """A learning group: its reflections step by step, its members, material on its themes."""

    name: str
    steps: list[tuple[str, list[DocInfo]]]
    members: list[str]
    material: list[DocInfo]


def _key(text: str | None) -> str:
    return (text or "").casefold()


def _by_date(infos) -> list[DocInfo]:
    return sorted(infos, key=lambda d: (d.date or date.min, d.id))


def group(kb: KnowledgeBase, viewer: Viewer, name: str) -> Group | None:
    """Return a learning group as the viewer may see it, or None when they see none of it.

    Its material is what the viewer may open that shares the most tags with its reflections.
    """
    catalog = kb.indexes.catalog()
    visible = [catalog.docs[d] for d in catalog.visible(viewer)]
    reflections = [d for d in visible if d.kind == "reflection" and _key(d.group) == _key(name)]
    if not reflections:
        return None
    steps = [(s, _by_date(d for d in reflections if d.step == s)) for s in STEPS]
    other = _by_date(d for d in reflections if d.step not in STEPS)
    if other:
        steps.append(("", other))
    members = list(dict.fromkeys(a for d in _by_date(reflections) for a in d.authors))
    tags = {_key(t) for d in reflections for t in d.tags}
    overlap = {d.id: len(tags & {_key(t) for t in d.tags}) for d in visible if d.kind == "material"}
    used = sorted((d for d in overlap if overlap[d]), key=lambda d: (-overlap[d], d))
    return Group(
        name=reflections[0].group,
        steps=[(s, ds) for s, ds in steps if ds],
        members=members,
        material=[catalog.docs[d] for d in used[:MATERIAL_USED]],
    )


def tagged(kb: KnowledgeBase, viewer: Viewer, tag: str) -> list[DocInfo]:
    """Return the documents with this tag the viewer may open, newest first."""
    catalog = kb.indexes.catalog()
    found = [
        catalog.docs[d]
        for d in catalog.visible(viewer)
        if _key(tag) in {_key(t) for t in catalog.docs[d].tags}
    ]
    return list(reversed(_by_date(found)))
