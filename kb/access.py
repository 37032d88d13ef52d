"""Who may open which document: the one place the visibility rules are decided."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EVERYONE = "all"


@dataclass(frozen=True)
class Viewer:
    """The colleague who is asking; `person_id` None means the system itself (CLI, export)."""

    person_id: str | None
    unit: str | None = None
    is_system: bool = False

    @classmethod
    def system(cls) -> Viewer:
        return cls(person_id=None, is_system=True)


def readers_of(
    visibility: str, author_ids: Iterable[str], author_units: Iterable[str | None]
) -> frozenset[str]:
    """Return the reader keys of a document.

    `all` -> {"all"}; `unit` -> the authors' units ("unit:U") and the authors themselves;
    `private` (and anything unknown) -> the authors only ("person:ID").
    """
    people = {f"person:{a}" for a in author_ids}
    if visibility == "all":
        return frozenset({EVERYONE})
    if visibility == "unit":
        return frozenset(people | {f"unit:{u}" for u in author_units if u})
    return frozenset(people)


def keys_of(viewer: Viewer) -> frozenset[str]:
    """Return the reader keys a viewer holds."""
    keys = {EVERYONE}
    if viewer.person_id:
        keys.add(f"person:{viewer.person_id}")
    if viewer.unit:
        keys.add(f"unit:{viewer.unit}")
    return frozenset(keys)


def opening_keys(viewer: Viewer) -> frozenset[str] | None:
    """Return the reader keys that let a viewer open a document, None when any document does."""
    return None if viewer.is_system else keys_of(viewer)


def may_read(viewer: Viewer, readers: frozenset[str]) -> bool:
    """Tell whether a viewer may open a document with these reader keys."""
    return viewer.is_system or not keys_of(viewer).isdisjoint(readers)


class Opened(frozenset):
    """The ids of the documents a viewer may open now, with the reader keys that open them
    and each document's current revision: an engine that holds the reader keys of what it
    indexed can filter by the keys, and by the ids only where its copy is behind."""

    keys: frozenset[str]
    revisions: Mapping[int, int]

    def __new__(cls, ids: Iterable[int], keys: frozenset[str], revisions: Mapping[int, int]):
        opened = super().__new__(cls, ids)
        opened.keys, opened.revisions = keys, revisions
        return opened
