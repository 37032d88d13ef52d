"""Open one document for a viewer: a document they may not open is one that does not exist.

The document feature's answers are small records one call of the documents service reads, so
`document` returns its payload (page context and API body) directly.
"""

from __future__ import annotations

from kb.access import Viewer
from kb.features.documents.payload import body, folder_label
from kb.ingest.extract import text_media_type
from kb.ingest.formats import MEDIA_TYPES
from kb.service import KnowledgeBase
from kb.services.documents import StoredDocument
from kb.upkeep.freshness import entries


def document(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict | None:
    """Return a document's payload, or None when it is missing or not the viewer's to open.

    Its authors and coordinators also get its versions (`versions`, newest first); everyone
    who may open it gets the related documents they may open too.
    """
    from kb.accounts import change_refusal

    can_change = change_refusal(kb, viewer, source) is None
    doc = kb.documents.opened(viewer, source, versions=can_change)
    if doc is None:
        return None
    versions = doc.versions
    original = doc.original
    page = {
        "source": doc.source,
        "title": doc.title,
        "kind": doc.kind,
        "format": doc.format,
        "date": doc.date,
        "subjects": doc.subjects,
        "grades": doc.grades,
        "tags": doc.tags,
        "language": doc.language,
        "visibility": doc.visibility,
        "group": doc.group,
        "step": doc.step,
        "authors": doc.authors,
        **body(kb.documents.previews, doc),
        "download": {
            "folder": folder_label(doc.source),
            "filename": original.filename if original else _text_name(doc),
            "size": len(original.data)
            if original
            else len((doc.body if doc.body is not None else doc.text).encode()),
            "format": doc.format,
        },
        "origin": doc.origin,
        "lives_at": kb.documents.lives_at(doc.source) if doc.origin == "sync" else None,
        "can_change": can_change,
        "versions": versions,
        "changed": doc.updated_at,
    }
    _name_changers(kb, versions)
    page["related"] = kb.documents.related(viewer, source)
    page.update(upkeep(kb, viewer, source))
    return page


def _name_changers(kb: KnowledgeBase, versions: list[dict]) -> None:
    """Add `by_name`, the name of who made each version."""
    names = kb.people.person_names(v["by"] for v in versions if v["by"])
    for v in versions:
        v["by_name"] = names.get(v["by"], v["by"]) if v["by"] else None


def upkeep(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict:
    """Return a document's owners and review state (`review`, with `may_review`) and the
    material requests it answers (`answers`)."""
    state = kb.upkeep.freshness_of(viewer, [source]).get(source)
    review = entries([state], kb.people.person_names)[0] if state else None
    if review is not None:
        review["may_review"] = kb.upkeep.may_review(viewer, state)
        # Whom it may be handed to: only those who may open it (shown to who may hand it).
        review["owner_choices"] = kb.upkeep.owner_choices(source) if review["may_review"] else []
    answers = [
        {"id": a.id, "question": a.question} for a in kb.upkeep.requests_answered_by(viewer, source)
    ]
    return {"review": review, "answers": answers}


def _text_name(doc: StoredDocument) -> str:
    name = doc.source.rsplit("/", 1)[-1]
    return name if "." in name else f"{name}.{'md' if doc.format == 'md' else 'txt'}"


def download(kb: KnowledgeBase, viewer: Viewer, source: str) -> dict | None:
    """Return the file to download for a document (its original, else its text), or None."""
    doc = kb.documents.opened(viewer, source)
    if doc is None:
        return None
    if doc.original is not None:
        return {
            "filename": doc.original.filename,
            "media_type": text_media_type(doc.original.media_type, doc.original.data),
            "data": doc.original.data,
        }
    if doc.format == "md" and doc.body is not None:
        return {
            "filename": _text_name(doc),
            "media_type": MEDIA_TYPES["md"],
            "data": doc.body.encode("utf-8"),
        }
    return {
        "filename": _text_name(doc),
        "media_type": MEDIA_TYPES["txt"],
        "data": (doc.text or "").encode("utf-8"),
    }


def page_image(kb: KnowledgeBase, viewer: Viewer, source: str, number: int) -> bytes | None:
    """Return a PDF page as PNG for a viewer who may open it, else None (as if missing)."""
    doc = kb.documents.opened(viewer, source)
    if doc is None or doc.format != "pdf" or doc.original is None:
        return None
    return kb.documents.previews.page_image(doc.original.data, number)


class CannotDelete(Exception):
    """A document this viewer may not delete; `code` says why (missing, bundle, not_author)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def delete_document(kb: KnowledgeBase, viewer: Viewer, source: str) -> None:
    """Delete a web upload or reflection as one of its authors or a coordinator; it can be
    brought back for UNDO_DAYS (`kb undelete`).

    A document the viewer may not open answers as missing; one from a bundle is refused
    (the next ingest would bring it back: remove it from the bundle and ingest --prune).
    """
    from kb.accounts import change_refusal

    refusal = change_refusal(kb, viewer, source)
    if refusal == "missing":
        raise CannotDelete("missing", f"no document {source!r}")
    if refusal == "bundle":
        raise CannotDelete(
            "bundle", f"{source} comes from a bundle: remove it there and run kb ingest --prune"
        )
    if refusal == "synced":
        raise CannotDelete(
            "synced",
            f"{source} lives at {kb.documents.lives_at(source) or 'its source'}: remove it there and kb follows",
        )
    if refusal:
        raise CannotDelete("not_author", "only its authors or a coordinator may delete it")
    kb.documents.store.delete(source, by=viewer.person_id)
