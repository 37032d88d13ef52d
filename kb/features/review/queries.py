"""What a colleague has to review, what nobody owns, and marking documents reviewed."""

from __future__ import annotations

from dataclasses import dataclass

from kb.access import Viewer
from kb.accounts import is_coordinator
from kb.limits import MAX_AUTHORS
from kb.service import KnowledgeBase
from kb.upkeep.freshness import Freshness


class CannotReview(Exception):
    """A review or owner change this viewer may not make; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReviewAnswer:
    """The viewer's own documents (overdue first) and, for a coordinator, the unowned ones."""

    owned: list[Freshness]
    unowned: list[Freshness] | None


def review_answer(kb: KnowledgeBase, viewer: Viewer) -> ReviewAnswer:
    """Return what the viewer owns and, when they coordinate, what nobody owns any more."""
    owned = kb.upkeep.owned_by(viewer) if viewer.person_id else []
    unowned = kb.upkeep.unowned(viewer) if is_coordinator(kb, viewer) else None
    return ReviewAnswer(owned, unowned)


def state(kb: KnowledgeBase, viewer: Viewer, source: str) -> Freshness:
    """Return one document's review state; a document the viewer may not open is missing."""
    found = kb.upkeep.freshness_of(viewer, [source]).get(source)
    if found is None:
        raise CannotReview("missing", f"there is no document {source}")
    return found


def _allowed(kb: KnowledgeBase, viewer: Viewer, source: str) -> Freshness:
    found = state(kb, viewer, source)
    if not kb.upkeep.may_review(viewer, found):
        raise CannotReview("not_owner", "only its owners or a coordinator may do that")
    return found


def mark_reviewed(kb: KnowledgeBase, viewer: Viewer, source: str) -> Freshness:
    """Mark a document as still right today (the next date follows the kind's interval)."""
    _allowed(kb, viewer, source)
    kb.documents.store.mark_reviewed(source, kb.settings.as_of)
    return state(kb, viewer, source)


def set_owners(kb: KnowledgeBase, viewer: Viewer, source: str, owners: list[str]) -> Freshness:
    """Give a document new owners (colleagues with a profile); [] gives it back to its authors.

    Only to those who may open it: an owner who could not would lock everyone out of it.
    """
    _allowed(kb, viewer, source)
    if len(owners) > MAX_AUTHORS:
        raise CannotReview("too_many", f"owners: at most {MAX_AUTHORS}")
    known = kb.people.profile_names()
    unknown = [o for o in owners if o not in known]
    if unknown:
        raise CannotReview("unknown_person", f"not colleagues with a profile: {', '.join(unknown)}")
    shut_out = [o for o in owners if not kb.upkeep.may_open_as(o, source)]
    if shut_out:
        raise CannotReview(
            "cannot_open",
            f"{', '.join(shut_out)} may not open it: the owners of a document are among "
            "those who may read it (change who may read it first)",
        )
    kb.documents.store.set_owners(source, owners or None)
    return state(kb, viewer, source)
