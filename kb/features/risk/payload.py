"""The risk answer: the API body, the page's context and `kb risk --json`."""

from __future__ import annotations

from kb.expertise.risk import Topic
from kb.features.risk.queries import RiskAnswer


def _topic(t: Topic, leaving: str | None = None) -> dict:
    entry = {
        "topic": t.name,
        "holders": list(t.holders),
        "sources": list(t.sources),
        "truck_factor": t.truck_factor,
        "single_holder": t.single,
        "labels": list(t.labels),
        "words": list(t.words),
        "declared_only": list(t.declared_only),
    }
    if leaving:
        entry["remaining"] = [h for h in t.holders if h != leaving]
    return entry


def risk_payload(answer: RiskAnswer) -> dict:
    """Return the contract's risk answer (topics with holder ids), names beside it.

    `lost` lists what the colleague in `leaving` holds, each with who `remaining` holds it;
    `unowned` the documents nobody still here owns, `orphaned` those `leaving` alone owns.
    """
    leaving = answer.leaving["id"] if answer.leaving else None
    return {
        "topics": [_topic(t) for t in answer.topics],
        "names": answer.names,
        "people": answer.people,
        "leaving": answer.leaving,
        "lost": [_topic(t, leaving) for t in answer.lost],
        "unowned": list(answer.unowned),
        "orphaned": list(answer.orphaned),
    }
