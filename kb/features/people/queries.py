"""The colleagues' directory and profiles, with the evidence each viewer may see.

Both answers are read in one session, so they return their payload (page context) directly.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from kb.models import Mentorship, Person
from kb.search.access import Viewer
from kb.search.catalog import Filters
from kb.service import KnowledgeBase
from kb.upkeep.freshness import entries


def _matches(person: Person, words: list[str]) -> bool:
    """Tell whether every word is in the person's name, role, unit, subjects, grades or skills."""
    fields = [person.name, person.role, person.unit, *person.subjects, *person.grades]
    fields += [s.name for s in person.skills]
    haystack = " ".join(f for f in fields if f).casefold()
    return all(w in haystack for w in words)


def directory(kb: KnowledgeBase, viewer: Viewer, query: str = "") -> dict:
    """Return every colleague with a profile (those matching `query`), grouped by unit."""
    words = (query or "").casefold().split()
    with kb.db.read() as session:
        people = session.scalars(
            select(Person).where(Person.has_profile).order_by(Person.unit, Person.name)
        ).all()
        units: dict[str, list[dict]] = {}
        for p in people:
            if words and not _matches(p, words):
                continue
            units.setdefault(p.unit or "", []).append(
                {
                    "id": p.id,
                    "name": p.name,
                    "role": p.role,
                    "subjects": list(p.subjects or ()),
                    "grades": list(p.grades or ()),
                    "mentor": bool(p.mentor),
                }
            )
    return {
        "units": [{"name": u or None, "people": ps} for u, ps in units.items()],
        "count": sum(len(ps) for ps in units.values()),
        "query": (query or "").strip(),
    }


def profile(kb: KnowledgeBase, viewer: Viewer, person_id: str) -> dict | None:
    """Return a colleague's profile with the evidence the viewer may see, or None."""
    with kb.db.read() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        page = {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "role": person.role,
            "unit": person.unit,
            "subjects": list(person.subjects or ()),
            "grades": list(person.grades or ()),
            "languages": list(person.languages or ()),
            "started": person.started,
            "mentor": bool(person.mentor),
            "mentor_capacity": person.mentor_capacity,
            "bio": person.bio,
            "has_profile": bool(person.has_profile),
            "skills": [{"name": s.name, "level": s.level} for s in person.skills],
            "left": person.left,
        }
        # Running mentorships, on both the mentor's and the newcomer's profile.
        pairs = session.execute(
            select(Mentorship.mentor_id, Mentorship.mentee_id).where(
                (Mentorship.mentor_id == person_id) | (Mentorship.mentee_id == person_id)
            )
        ).all()
    names = kb.people.person_names([p for pair in pairs for p in pair])
    page["mentees"] = [{"id": b, "name": names.get(b, b)} for a, b in pairs if a == person_id]
    page["mentored_by"] = [{"id": a, "name": names.get(a, a)} for a, b in pairs if b == person_id]
    catalog = kb.indexes.catalog()
    ids = sorted(
        catalog.visible(viewer, Filters(author=person_id)),
        key=lambda d: catalog.docs[d].date or date.min,
        reverse=True,
    )
    infos = [catalog.docs[d] for d in ids]
    briefs = kb.documents.briefs(infos)
    groups: dict[str, int] = {}
    for info in infos:
        if info.kind == "reflection" and info.group:
            groups[info.group] = groups.get(info.group, 0) + 1
    page.update(
        material=[b for b in briefs if b["kind"] == "material"],
        reflections=[b for b in briefs if b["kind"] == "reflection"],
        groups=[
            {"name": g, "meetings": n}
            for g, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        can_edit=viewer.person_id == person_id,
        # Their own list to review, shown only on their own profile.
        overdue=entries(kb.upkeep.overdue_for(viewer), kb.people.person_names)
        if viewer.person_id == person_id
        else [],
    )
    return page
