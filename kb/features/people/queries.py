"""The colleagues' directory and profiles, with the evidence each viewer may see.

Both answers are small, so they return their payload (page context) directly.
"""

from __future__ import annotations

from datetime import date

from kb.access import Viewer
from kb.catalog import Filters
from kb.service import KnowledgeBase
from kb.upkeep.freshness import entries


def directory(kb: KnowledgeBase, viewer: Viewer, query: str = "") -> dict:
    """Return every colleague with a profile (those matching `query`), grouped by unit."""
    units: dict[str, list[dict]] = {}
    for p in kb.people.directory(query):
        unit = p.pop("unit")
        units.setdefault(unit or "", []).append(p)
    return {
        "units": [{"name": u or None, "people": ps} for u, ps in units.items()],
        "count": sum(len(ps) for ps in units.values()),
        "query": (query or "").strip(),
    }


def profile(kb: KnowledgeBase, viewer: Viewer, person_id: str) -> dict | None:
    """Return a colleague's profile with the evidence the viewer may see, or None."""
    page = kb.people.profile(person_id)
    if page is None:
        return None
    # Running mentorships, on both the mentor's and the newcomer's profile.
    pairs = kb.people.mentorship_pairs(person_id)
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
