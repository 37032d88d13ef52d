"""What the home page shows one colleague: only documents they may open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kb.access import Viewer
from kb.catalog import DocInfo
from kb.expertise.mentors import started_recently
from kb.service import KnowledgeBase

LIST_LENGTH = 6


@dataclass(frozen=True)
class Home:
    """One colleague's home page: who they are, what is new near them, what is theirs."""

    person: dict
    newcomer: bool
    groups: list[str]
    recent: list[DocInfo]
    mine: list[DocInfo]
    deleted: list[dict]
    overdue: list
    mentors: list[str]
    mentees: list[str]


def _newest(infos) -> list[DocInfo]:
    return sorted(infos, key=lambda d: (d.date or date.min, d.id), reverse=True)


def home(kb: KnowledgeBase, viewer: Viewer) -> Home | None:
    """Return the home page of the viewer, or None for a viewer who is nobody (the system)."""
    person = kb.people.person(viewer.person_id)
    if person is None:
        return None
    me = {"id": person["id"], "name": person["name"], "unit": person["unit"]}
    newcomer = started_recently(
        person["started"], person["newcomer"], kb.settings.as_of, kb.settings.newcomer_months
    )
    pairs = kb.people.mentorship_pairs(person["id"])
    gone = kb.documents.recently_deleted(datetime.now())
    catalog = kb.indexes.catalog()
    visible = [catalog.docs[d] for d in catalog.visible(viewer)]
    mine = [d for d in visible if viewer.person_id in d.authors]
    groups = sorted({d.group for d in mine if d.kind == "reflection" and d.group})
    near = [
        d
        for d in visible
        if viewer.person_id not in d.authors
        and ((d.group and d.group in groups) or (me["unit"] and me["unit"] in d.units))
    ]
    deleted = [
        {"source": source, "title": record.title, "at": at}
        for source, at, record in gone
        if viewer.person_id in record.authors
    ]
    return Home(
        person=me,
        newcomer=newcomer,
        groups=groups,
        recent=_newest(near)[:LIST_LENGTH],
        mine=_newest(mine)[:LIST_LENGTH],
        deleted=deleted,
        overdue=kb.upkeep.overdue_for(viewer),
        mentors=[a for a, b in pairs if b == me["id"]],
        mentees=[b for a, b in pairs if a == me["id"]],
    )
