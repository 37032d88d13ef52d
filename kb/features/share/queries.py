"""Check an uploaded file, read it in the sandbox and hand it to the store."""

from __future__ import annotations

from kb.ingest.extract import ExtractionError, decode_text, format_for, identify
from kb.ingest.formats import MEDIA_TYPES, SHARE_FORMATS, TEXT_FORMATS
from kb.ingest.sandbox import extract_text_safely
from kb.ingest.submit import EXTRACTION_REASONS, Refused, visibility, web_document
from kb.limits import MAX_FILE_BYTES
from kb.search.access import Viewer
from kb.service import KnowledgeBase
from kb.text.frontmatter import strip_front_matter
from kb.text.slugs import slugify, split_values

UPLOADS = "material/uploads"


def check_upload(filename: str, data: bytes) -> str:
    """Return the kb format of an upload, checked against its content; raise Refused."""
    fmt = format_for(filename or "")
    if fmt is None or fmt not in SHARE_FORMATS:
        raise Refused(
            "type", (filename or "").rsplit(".", 1)[-1] if "." in (filename or "") else ""
        )
    if not data:
        raise Refused("empty")
    if len(data) > MAX_FILE_BYTES:
        raise Refused("too_large")
    actual = identify(data)  # bounded: a zip's directory is checked before it is read
    if not (fmt == actual or (fmt in TEXT_FORMATS and actual == "text")):
        raise Refused("mismatch", f"{fmt}/{actual}")
    return fmt


def _read(fmt: str, data: bytes) -> tuple[str, str | None]:
    """Return a file's text and, for Markdown, its body; raise Refused when unreadable."""
    body = None
    try:
        # In a limited child process: a hostile file fails there, not in the server.
        text = extract_text_safely(fmt, data)
        if fmt == "md":
            # The metadata comes from the form: drop front matter without parsing its YAML.
            body = strip_front_matter(decode_text(data))
    except ExtractionError as exc:
        # The reason picks a message in the page's language; the English detail stays beside it.
        raise Refused(
            exc.reason if exc.reason in EXTRACTION_REASONS else "unreadable", str(exc)
        ) from exc
    if not text.strip():
        raise Refused("no_text")
    return text, body


def share_material(
    kb: KnowledgeBase, viewer: Viewer, filename: str, data: bytes, meta: dict
) -> str:
    """Store an uploaded file as material through the store; return its source."""
    if not viewer.person_id:
        raise Refused("author")
    title = (meta.get("title") or "").strip()
    if not title:
        raise Refused("title")
    fmt = check_upload(filename, data)
    text, body = _read(fmt, data)
    record = web_document(
        "material",
        fmt,
        title,
        text,
        meta.get("language"),
        date=kb.settings.as_of,
        authors=(viewer.person_id,),
        subjects=split_values(meta.get("subjects")),
        grades=split_values(meta.get("grades")),
        tags=split_values(meta.get("tags")),
        visibility=visibility(meta.get("visibility")),
        body=body,
        original=None if fmt == "md" else data,
        media_type=MEDIA_TYPES[fmt],
    )
    return kb.store.add(record, UPLOADS, slugify(title))
