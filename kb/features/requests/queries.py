"""Gather the material requests as one colleague sees them, and change them on their behalf."""

from __future__ import annotations

from dataclasses import dataclass

from kb.access import Viewer
from kb.service import KnowledgeBase
from kb.upkeep.asks import Ask, RequestError

__all__ = ["RequestError", "RequestsAnswer", "ask", "requests_answer", "suggest", "vote"]


@dataclass(frozen=True)
class RequestsAnswer:
    """Every request (open ones first), with names, the answers' titles and who asks."""

    asks: list[Ask]
    names: dict[str, str]
    titles: dict[str, str]
    viewer_id: str | None
    people: list[dict]


def requests_answer(kb: KnowledgeBase, viewer: Viewer) -> RequestsAnswer:
    """Return the requests as the viewer sees them: an answer they may not open is none."""
    found = kb.upkeep.material_requests(viewer)
    found.sort(key=lambda a: (a.answer is not None, -len(a.votes), -a.id))
    ids = [p for a in found for p in (a.asked_by, *a.experts)]
    catalog = kb.indexes.catalog()
    titles = {
        source: catalog.by_source[source].title
        for a in found
        for source, _day in a.answers
        if source in catalog.by_source
    }
    return RequestsAnswer(
        found, kb.people.person_names(ids), titles, viewer.person_id, kb.people.profile_refs()
    )


def _asker(viewer: Viewer) -> None:
    if viewer.is_system or not viewer.person_id:
        raise RequestError("no_person", "ask as a colleague (--as PERSON)")


def ask(kb: KnowledgeBase, viewer: Viewer, question: str) -> int:
    """Ask for material on a question; return the request's number."""
    _asker(viewer)
    return kb.upkeep.ask_material(viewer, question)


def vote(kb: KnowledgeBase, viewer: Viewer, request_id: int) -> bool:
    """Add the viewer's vote to a request; return whether it was new."""
    _asker(viewer)
    return kb.upkeep.vote_request(viewer, request_id)


def suggest(kb: KnowledgeBase, viewer: Viewer, request_id: int, expert_id: str) -> None:
    """Suggest a colleague as the one who could write a request's material."""
    _asker(viewer)
    kb.upkeep.suggest_expert(request_id, expert_id)
