"""Changing one's own documents: edit, delete and undo, versions and restoring one.

Who may: the document's authors and coordinators (kb.accounts.change_refusal); a document the
viewer may not open is one that does not exist. Every change goes through the store.
"""

from __future__ import annotations

from datetime import date, datetime

from kb.access import Viewer, may_read, readers_of
from kb.accounts import change_refusal, is_coordinator
from kb.ingest.checks import check_types
from kb.ingest.document import split_sections
from kb.ingest.pipeline import typed
from kb.ingest.records import STEPS
from kb.ingest.submit import Refused, reflection_markdown
from kb.ingest.submit import visibility as checked_visibility
from kb.ingest.versions import VersionError
from kb.service import KnowledgeBase
from kb.text.slugs import split_values

EDITABLE_TEXT = ("md", "txt")
SECTION_FIELDS = ("did", "went_well", "went_less_well", "take_away")


class CannotChange(Exception):
    """A change this viewer may not make; `code` is missing, bundle, synced, not_author or
    number."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _allowed(kb: KnowledgeBase, viewer: Viewer, source: str) -> None:
    refusal = change_refusal(kb, viewer, source)
    if refusal == "missing":
        raise CannotChange("missing", f"no document {source!r}")
    if refusal == "bundle":
        raise CannotChange("bundle", f"{source} comes from a bundle: change it there")
    if refusal == "synced":
        raise CannotChange(
            "synced",
            f"{source} lives at {kb.documents.lives_at(source) or 'its source'}: change it there",
        )
    if refusal:
        raise CannotChange("not_author", "only its authors or a coordinator may change it")


def current(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict:
    """Return what the edit form starts from; raise CannotChange when it is not the viewer's."""
    _allowed(kb, viewer, source)
    record = kb.documents.record(source)
    if record is None:  # deleted since it was allowed
        raise CannotChange("missing", f"no document {source!r}")
    sections = dict(record.sections)
    return {
        "source": source,
        "kind": record.kind,
        "format": record.format,
        "title": record.title,
        "date": record.date,
        "subjects": list(record.subjects),
        "grades": list(record.grades),
        "tags": list(record.tags),
        "language": None if record.language_guessed else record.language,
        "visibility": record.visibility,
        "group": record.group,
        "step": record.step,
        "authors": list(record.authors),
        "text": (record.body if record.format == "md" else record.text)
        if record.format in EDITABLE_TEXT
        else None,
        **{f: sections.get(f, "") for f in SECTION_FIELDS},
    }


def _known(kb: KnowledgeBase, ids) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(i for i in ids if i))
    unknown = kb.people.unknown(ids)
    if unknown:
        raise Refused("participants", ", ".join(unknown))
    return ids


def edit_document(kb: KnowledgeBase, viewer: Viewer, source: str, changes: dict) -> int:
    """Store the changed fields of a document as its next version; return the version number.

    `changes` holds form values: title, subjects, grades, tags (comma lists or lists),
    visibility, language, coauthors; for reflections group, step, date and the four answers;
    for Markdown and text material `text`. Raise Refused (bad values) or CannotChange.
    """
    check_types(changes)
    start = current(kb, viewer, source)
    fields: dict = {}
    title = (changes.get("title", start["title"]) or "").strip()
    if not title:
        raise Refused("title")
    fields["title"] = title
    for name in ("subjects", "grades", "tags"):
        if name in changes:
            value = changes[name]
            fields[name] = split_values(value) if isinstance(value, str) else list(value or ())
    if "visibility" in changes:
        fields["visibility"] = checked_visibility(changes["visibility"])
    if changes.get("language"):
        fields["language"], fields["language_guessed"] = changes["language"].strip()[:20], False
    if "coauthors" in changes:
        first = start["authors"][:1]
        fields["authors"] = _known(kb, [*first, *(changes["coauthors"] or ())])
    if start["kind"] == "reflection":
        fields.update(_reflection_fields(start, changes))
    elif "text" in changes and start["format"] in EDITABLE_TEXT:
        fields.update(_text_fields(start["format"], changes["text"] or ""))
    try:
        return kb.documents.store.edit(source, by=viewer.person_id, **fields)
    except VersionError as exc:
        raise CannotChange(exc.code, str(exc)) from None


def _text_fields(fmt: str, text: str) -> dict:
    if not text.strip():
        raise Refused("no_text")
    content = typed(fmt, text)
    return {"text": content.text, "body": content.body}


def _reflection_fields(start: dict, changes: dict) -> dict:
    out: dict = {}
    if "step" in changes:
        step = (changes["step"] or "").strip()
        if step not in STEPS:
            raise Refused("step", step)
        out["step"] = step
    if "group" in changes:
        out["group"] = (changes["group"] or "").strip() or None
    if isinstance(changes.get("date"), date):
        out["date"] = changes["date"]
    if any(f in changes for f in SECTION_FIELDS):
        answers = {f: changes.get(f, start[f]) or "" for f in SECTION_FIELDS}
        body = reflection_markdown(answers)
        if not body:
            raise Refused("empty")
        out.update(
            body=body, text=typed("md", body).text, sections=tuple(split_sections(body).items())
        )
    return out


def delete(kb: KnowledgeBase, viewer: Viewer, source: str) -> None:
    """Delete a document of the viewer's; it can be brought back for UNDO_DAYS."""
    _allowed(kb, viewer, source)
    kb.documents.store.delete(source, by=viewer.person_id)


def _deleted(kb: KnowledgeBase, viewer: Viewer, source: str, now: datetime | None):
    """Return the last state of a deleted document the viewer may bring back."""
    try:
        record = kb.documents.undeletable(source, now or datetime.now())
    except VersionError as exc:
        code = "expired" if exc.code == "expired" else "missing"
        raise CannotChange(code, str(exc)) from None
    if viewer.is_system or viewer.person_id in record.authors:
        return record
    if is_coordinator(kb, viewer) and _could_read(kb, viewer, record):
        return record
    raise CannotChange("missing", f"{source} is not deleted")


def _could_read(kb: KnowledgeBase, viewer: Viewer, record) -> bool:
    """Tell whether the viewer could open the document as it was when it was deleted."""
    units = kb.people.units_of(record.authors)
    return may_read(viewer, readers_of(record.visibility, record.authors, units))


def deleted(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict:
    """Return a deleted document's title and source, for the page that offers the undo."""
    record = _deleted(kb, viewer, source, None)
    return {"source": source, "title": record.title, "kind": record.kind}


def undelete(kb: KnowledgeBase, viewer: Viewer, source: str, now=None) -> int:
    """Bring back a document the viewer deleted (or may change); return its version number."""
    _deleted(kb, viewer, source, now)
    try:
        return kb.documents.store.undelete(source, by=viewer.person_id, now=now)
    except VersionError as exc:
        raise CannotChange(exc.code, str(exc)) from None


def versions(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict:
    """Return a document's versions, newest first, for its authors and coordinators."""
    _allowed(kb, viewer, source)
    title, rows = kb.documents.versions(source)
    names = kb.people.person_names(v["by"] for v in rows if v["by"])
    for v in rows:
        v["by_name"] = names.get(v["by"], v["by"]) if v["by"] else None
    return {"source": source, "title": title, "versions": rows}


def restore(kb: KnowledgeBase, viewer: Viewer, source: str, number: int) -> int:
    """Make an earlier version of a document the current one; return the new version's number."""
    _allowed(kb, viewer, source)
    try:
        return kb.documents.store.restore(source, number, by=viewer.person_id)
    except VersionError as exc:
        raise CannotChange(exc.code, str(exc)) from None
