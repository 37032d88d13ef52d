"""The file formats kb reads: one entry each, with its names, media type and reader.

A new format is one entry here plus its reader in kb.ingest.readers.extract_text (and, when it is a zip
or binary container, its check in kb.ingest.extract.sniff).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One format: its kb name, file endings, media type, and what to call it in messages."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    noun: str  # in messages: "is not a PDF"
    text: bool  # a text format (told from its content only as "text")
    shareable: bool = True  # offered on the share form


FORMAT_LIST = (
    Format("md", (".md", ".markdown"), "text/markdown; charset=utf-8", "a Markdown file", True),
    Format("txt", (".txt",), "text/plain; charset=utf-8", "a text file", True),
    Format("html", (".html", ".htm"), "text/html; charset=utf-8", "an HTML file", True),
    Format("pdf", (".pdf",), "application/pdf", "a PDF", False),
    Format(
        "docx",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a DOCX",
        False,
    ),
)
FORMATS = {ext: f.name for f in FORMAT_LIST for ext in f.extensions}
MEDIA_TYPES = {f.name: f.media_type for f in FORMAT_LIST}
TEXT_FORMATS = tuple(f.name for f in FORMAT_LIST if f.text)
NAMES = {f.name: f.noun for f in FORMAT_LIST}
SHARE_FORMATS = tuple(f.name for f in FORMAT_LIST if f.shareable)
