"""Write the knowledge base back out as a bundle that ingests into the same knowledge base."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.records import SECTION_HEADINGS
from kb.ingest.upkeep import REQUESTS_FILE, request_entries, upkeep_meta
from kb.models import Document, Mentorship, Person


class ExportError(Exception):
    """The bundle cannot be written where asked."""


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def person_entry(person: Person, mentees: list[str] = ()) -> dict:
    """Return a person as a people.yaml entry, leaving out empty fields."""
    entry = {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "unit": person.unit,
        "subjects": person.subjects or None,
        "grades": person.grades or None,
        "started": person.started,
        "left": person.left,
        "mentor": person.mentor,
        "mentor_capacity": person.mentor_capacity,
        "mentees": sorted(mentees) or None,
        "coordinator": True if person.is_coordinator else None,
        "languages": person.languages or None,
        "skills": [{"name": s.name, "level": s.level} for s in person.skills] or None,
        "bio": person.bio,
    }
    return {k: v for k, v in entry.items() if v is not None}


def document_meta(doc: Document) -> dict:
    """Return a document's front matter or sidecar."""
    meta = {
        "title": doc.title,
        "authors": doc.author_ids or None,
        "date": doc.date,
        "subjects": doc.subjects or None,
        "grades": doc.grades or None,
        "tags": doc.tags or None,
        "language": None if doc.language_guessed else doc.language,
        "visibility": doc.visibility if doc.visibility != "all" else None,
        "group": doc.group,
        "step": doc.step,
        **upkeep_meta(doc),
    }
    return {k: v for k, v in meta.items() if v is not None}


def markdown_body(doc: Document) -> str:
    """Return the Markdown body; rebuilt from the reflection fields if the body was not kept."""
    if doc.body is not None:
        return doc.body
    parts = []
    for field, heading in SECTION_HEADINGS.items():
        value = getattr(doc, field)
        if value:
            parts.append(f"## {heading}\n{value}\n")
    return "\n".join(parts) or doc.text


def safe_target(root: Path, source: str) -> Path:
    """Resolve a source inside the bundle folder, refusing any path that would leave it."""
    rel = PurePosixPath(source)
    if rel.is_absolute() or ".." in rel.parts or "\x00" in source:
        raise ExportError(f"{source}: not a safe path inside a bundle")
    return root.joinpath(*rel.parts)


def export_bundle(
    session: Session, folder: Path, only_sources: set[str] | None = None
) -> dict[str, int]:
    """Write people.yaml, material/, reflections/ and requests.yaml; return the counts.

    `only_sources` limits the documents to those a colleague may open (None: everything).
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ExportError(f"{folder} is not empty; export into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    people = session.scalars(select(Person).where(Person.has_profile).order_by(Person.id)).all()
    mentees: dict[str, list[str]] = {}
    for mentor_id, mentee_id in session.execute(select(Mentorship.mentor_id, Mentorship.mentee_id)):
        mentees.setdefault(mentor_id, []).append(mentee_id)
    entries = [person_entry(p, mentees.get(p.id, [])) for p in people]
    (folder / "people.yaml").write_text(_dump(entries), encoding="utf-8")
    counts = {"people": len(people), "material": 0, "reflections": 0}
    for doc in session.scalars(select(Document).order_by(Document.source)):
        if only_sources is not None and doc.source not in only_sources:
            continue
        target = safe_target(folder, doc.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        meta = document_meta(doc)
        if doc.format == "md":
            target.write_text(f"---\n{_dump(meta)}---\n{markdown_body(doc)}", encoding="utf-8")
        else:
            data = doc.original.data if doc.original else doc.text.encode("utf-8")
            target.write_bytes(data)
            target.with_name(target.name + ".yaml").write_text(_dump(meta), encoding="utf-8")
        counts["reflections" if doc.kind == "reflection" else "material"] += 1
    shown = (lambda s: True) if only_sources is None else only_sources.__contains__
    requests = request_entries(session, shown)
    if requests:
        (folder / REQUESTS_FILE).write_text(_dump(requests), encoding="utf-8")
    counts["requests"] = len(requests)
    return counts
