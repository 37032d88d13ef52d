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
    try:
        with open_zip(data) as package:
            if "docProps/core.xml" not in package.namelist():
                return None
            if package.getinfo("docProps/core.xml").file_size > 256 * 1024:
                return None
            core = package.read("docProps/core.xml")
    except (ExtractionError, OSError, ValueError, KeyError):
        return None
    match = _DOCX_TITLE.search(core)
    return _clean(match.group(1).decode("utf-8", "replace")) if match else None


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
