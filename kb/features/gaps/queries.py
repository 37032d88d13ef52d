"""Gather the search gaps a coordinator sees, each with the closest material the coordinator
may open and the colleagues whose expertise is nearest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kb.access import Viewer
from kb.accounts import require_coordinator
from kb.search.query.hybrid import SearchRequest
from kb.service import KnowledgeBase
from kb.upkeep.gaps import MIN_ASKERS, Gap, monday

WEEKS_SHOWN = 8
MATERIAL_SHOWN = 3
EXPERTS_SHOWN = 3
GAPS_SHOWN = 10


@dataclass(frozen=True)
class GapView:
    """One gap as a coordinator sees it."""

    gap: Gap
    weeks: list[tuple]  # (monday, searches), the last WEEKS_SHOWN weeks, oldest first
    material: list[dict]  # briefs of the closest documents the coordinator may open
    experts: list[dict]  # {id, name} of the nearest colleagues


def week_counts(gap: Gap, today) -> list[tuple]:
    """Return the searches per week over the last WEEKS_SHOWN weeks, empty weeks as 0."""
    counts = dict(gap.weeks)
    this = monday(today)
    days = [this - timedelta(weeks=n) for n in range(WEEKS_SHOWN - 1, -1, -1)]
    return [(day, counts.get(day, 0)) for day in days]


def closest(kb: KnowledgeBase, viewer: Viewer, question: str) -> list[dict]:
    """Return the documents nearest a question, searched as the viewer (what they may open)."""
    result = kb.finder.search(
        # The closest material, even below the cut-off: the gap is that nothing answered.
        SearchRequest(
            text=question,
            viewer=viewer,
            limit=MATERIAL_SHOWN,
            method=kb.settings.fusion_method,
            cutoff=False,
        )
    )
    catalog = kb.indexes.catalog()
    return kb.documents.briefs(
        catalog.docs[h.doc_id] for h in result.hits if h.doc_id in catalog.docs
    )


def gaps(kb: KnowledgeBase, viewer: Viewer, limit: int = GAPS_SHOWN) -> list[GapView]:
    """Return what at least two colleagues searched for and did not find, most askers first.

    Only a coordinator may ask (NotCoordinator otherwise).
    """
    require_coordinator(kb, viewer, "search gaps")
    today = kb.settings.as_of
    out = []
    for gap in kb.upkeep.search_gaps(minimum=MIN_ASKERS)[:limit]:
        experts = kb.expertise.experts(viewer, gap.text, EXPERTS_SHOWN)
        out.append(
            GapView(
                gap=gap,
                weeks=week_counts(gap, today),
                material=closest(kb, viewer, gap.text),
                experts=[{"id": e.person_id, "name": e.name} for e in experts],
            )
        )
    return out


def dismiss(kb: KnowledgeBase, viewer: Viewer, gap_id: int) -> bool:
    """Forget a gap a coordinator has seen to; return whether there was one."""
    require_coordinator(kb, viewer, "search gaps")
    return kb.upkeep.dismiss_gap(gap_id)
