"""The gaps answer: the API body, the page's context and `kb gaps --json`."""

from __future__ import annotations

from kb.features.gaps.queries import GapView
from kb.upkeep.gaps import MIN_ASKERS


def gaps_payload(found: list[GapView]) -> dict:
    """Return each gap's question, counts (in all, askers, per week), closest material and
    nearest colleagues; `min_askers` says how many must have asked before a gap shows."""
    return {
        "gaps": [
            {
                "id": g.gap.id,
                "question": g.gap.text,
                "searches": g.gap.searches,
                "askers": g.gap.askers,
                "weeks": [{"week": week, "searches": n} for week, n in g.weeks],
                "material": g.material,
                "experts": g.experts,
            }
            for g in found
        ],
        "min_askers": MIN_ASKERS,
    }
