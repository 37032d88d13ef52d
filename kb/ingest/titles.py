"""A file's own title, to suggest on the share form: front matter, first heading, metadata."""

from __future__ import annotations

import html
import re

from kb.ingest.extract import ExtractionError, decode_text, open_zip

MAX_TITLE = 300
_HEADING = re.compile(r"^#{1,2}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_DOCX_TITLE = re.compile(rb"<dc:title>(.*?)</dc:title>", re.DOTALL)
_PDF_TITLE = re.compile(rb"/Title\s*\(((?:[^()\\]|\\.){1,600})\)")


# Titles that programs write when the author gave none.
NO_TITLE = {"untitled", "(untitled)", "anonymous", "document", "dokument", "namnlös"}


def _clean(value: str | None) -> str | None:
    value = " ".join(html.unescape(_TAGS.sub(" ", value or "")).split())
    if value.casefold() in NO_TITLE:
        return None
    return value[:MAX_TITLE] or None


def _markdown(data: bytes) -> str | None:
    from kb.text.frontmatter import split_front_matter

    text = decode_text(data)
    try:
        meta, body = split_front_matter(text)
    except Exception:  # a broken front matter still has a heading below it
        meta, body = {}, text
    title = meta.get("title") if isinstance(meta, dict) else None
    if isinstance(title, str) and title.strip():
        return _clean(title)
    match = _HEADING.search(body[:20_000])
    return _clean(match.group(1)) if match else None


def _html(data: bytes) -> str | None:
    head = data[:200_000]
    match = _HTML_TITLE.search(head) or _HTML_H1.search(head)
    return _clean(match.group(1).decode("utf-8", "replace")) if match else None


def _docx(data: bytes) -> str | None:
    """Return the document properties' title, else a first paragraph styled as a title."""
    try:
        with open_zip(data) as package:
            names = set(package.namelist())
            core = (
                _part(package, "docProps/core.xml", 256 * 1024)
                if "docProps/core.xml" in names
                else b""
            )
            match = _DOCX_TITLE.search(core or b"")
            title = _clean(match.group(1).decode("utf-8", "replace")) if match else None
            if title or "word/document.xml" not in names:
                return title
            body = _part(package, "word/document.xml", DOCX_HEAD)
    except (ExtractionError, OSError, ValueError, KeyError):
        return None
    return _styled_title(body.decode("utf-8", "replace"))


# Read at most this much of a DOCX's body for its first paragraph (decompressed, streamed).
DOCX_HEAD = 200_000
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_STYLE = re.compile(r'<w:pStyle w:val="([^"]+)"')
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
# Word's own style ids for a document's title (English and Swedish Word).
TITLE_STYLES = {"title", "rubrik", "heading1", "rubrik1"}


def _part(package, name: str, limit: int) -> bytes:
    with package.open(name) as part:
        return part.read(limit)


def _styled_title(body: str) -> str | None:
    """Return the first non-empty paragraph's text when its style is Title or Heading 1."""
    for paragraph in _PARAGRAPH.finditer(body):
        text = "".join(_RUN_TEXT.findall(paragraph.group(0)))
        if not text.strip():
            continue
        style = _STYLE.search(paragraph.group(0))
        if style and style.group(1).casefold().replace(" ", "") in TITLE_STYLES:
            return _clean(text)
        return None
    return None


def _pdf(data: bytes) -> str | None:
    match = _PDF_TITLE.search(data[:2_000_000]) or _PDF_TITLE.search(data[-200_000:])
    if not match:
        return None
    raw = re.sub(rb"\\(.)", rb"\1", match.group(1))
    if raw.startswith(b"\xfe\xff"):
        return _clean(raw[2:].decode("utf-16-be", "replace"))
    return _clean(raw.decode("latin-1"))


def _text(data: bytes) -> str | None:
    for line in decode_text(data[:20_000]).splitlines():
        if line.strip():
            return _clean(line) if len(line.strip()) <= 120 else None
    return None


READERS = {"md": _markdown, "html": _html, "docx": _docx, "pdf": _pdf, "txt": _text}


def own_title(fmt: str, data: bytes) -> str | None:
    """Return the title a file gives itself, or None (never raises on a bad file)."""
    reader = READERS.get(fmt)
    try:
        return reader(data) if reader else None
    except Exception:  # a hostile file has no title to offer, not an error page
        return None
