"""What the reflection form offers, and storing a reflection through the store."""

from __future__ import annotations

from datetime import date

from kb.access import Viewer
from kb.catalog import Filters
from kb.ingest.document import split_sections
from kb.ingest.pipeline import typed, web_record
from kb.ingest.records import STEPS
from kb.ingest.submit import Refused, reflection_markdown
from kb.ingest.submit import visibility as checked_visibility
from kb.service import KnowledgeBase
from kb.text.slugs import slugify, split_values


def reflection_choices(kb: KnowledgeBase, viewer: Viewer) -> dict:
    """Return the colleagues and the learning groups a reflection form offers."""
    catalog = kb.indexes.catalog()
    groups = sorted(
        {
            catalog.docs[d].group
            for d in catalog.visible(viewer, Filters(kind="reflection"))
            if catalog.docs[d].group
        }
    )
    return {"people": kb.people.profile_refs(), "groups": groups, "steps": list(STEPS)}


def _check_authors(kb: KnowledgeBase, authors: tuple[str, ...]) -> None:
    unknown = kb.people.unknown(authors)
    if unknown:
        raise Refused("participants", ", ".join(unknown))


def write_reflection(
    kb: KnowledgeBase,
    viewer: Viewer,
    *,
    group: str,
    when: date,
    step: str,
    participants: list[str],
    title: str,
    tags,
    visibility: str,
    did: str = "",
    went_well: str = "",
    went_less_well: str = "",
    take_away: str = "",
    language: str | None = "sv",
) -> str:
    """Store a reflection written by the viewer with the participants; return its source."""
    if not viewer.person_id:
        raise Refused("author")
    title, group, step = (title or "").strip(), (group or "").strip(), (step or "").strip()
    if not title:
        raise Refused("title")
    if step not in STEPS:
        raise Refused("step", step)
    sections = {"did": did, "went_well": went_well, "went_less_well": went_less_well}
    body = reflection_markdown({**sections, "take_away": take_away})
    if not body:
        raise Refused("empty")
    authors = tuple(dict.fromkeys([viewer.person_id, *participants]))
    visibility = checked_visibility(visibility)
    _check_authors(kb, authors)
    record = web_record(
        typed("md", body),
        "reflection",
        title,
        language,
        date=when,
        authors=authors,
        tags=split_values(tags),
        visibility=visibility,
        group=group or None,
        step=step,
        sections=tuple(split_sections(body).items()),
    )
    return kb.documents.store.add(
        record, "reflections", f"{when.isoformat()}-{slugify(group or title)}"
    )
