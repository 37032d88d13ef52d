"""How a document reads on its page: its body as written, and a name for where it lives.

The formats shown as HTML (kb.ingest.formats: Markdown, HTML, DOCX, ...) become allow-listed
HTML and PDFs their page texts beside page images, all made in the sandbox and cached
(kb.ingest.previews).
"""

from __future__ import annotations

from markupsafe import escape

from kb.ingest.formats import shown_as
from kb.ingest.previews import Previews
from kb.limits import MAX_PREVIEW_PAGES
from kb.services.documents import StoredDocument
from kb.text.markup import paragraphs, settle_headings
from kb.text.passages import mark_passage


def body(previews: Previews, doc: StoredDocument) -> dict:
    """Return the page's `html`, `pages` (PDF) and `paragraphs` (the plain text fallback)."""
    shown = {"html": "", "pages": [], "paragraphs": []}
    data = doc.original.data if doc.original is not None else None
    if doc.format == "md" and doc.body is not None:
        data = doc.body.encode("utf-8")  # Markdown keeps its body as written, not its file
    if shown_as(doc.format) == "html" and data is not None:
        html = previews.html(doc.format, data)
        shown["html"] = settle_headings(html, doc.title) if html else ""
    elif doc.format == "pdf" and data is not None:
        texts = previews.pdf_pages(data) or []
        if texts:
            texts[0] = _without_title(texts[0], doc.title)
        shown["pages"] = [
            {
                "number": n,
                "paragraphs": paragraphs(text),
                "image": n <= MAX_PREVIEW_PAGES,
            }
            for n, text in enumerate(texts, 1)
        ]
    if not shown["html"] and not shown["pages"]:
        shown["paragraphs"] = paragraphs(doc.text)
    return shown


def with_passage(page: dict, passage: str) -> dict:
    """Mark an answer's quoted sentence in the page's body (`passage_found` says whether it
    was there); a plain-text body becomes its paragraphs as HTML to carry the mark."""
    shown = page["html"]
    if not shown and page["paragraphs"]:
        shown = "".join(f'<p class="plain">{escape(p)}</p>' for p in page["paragraphs"])
    marked, found = mark_passage(shown, passage)
    if found:
        page = {**page, "html": marked}
    return {**page, "passage_found": found}


def _without_title(text: str, title: str) -> str:
    """Drop a first page's first line when it is the title the page already shows."""
    first, _, rest = text.lstrip().partition("\n")
    return (
        rest if " ".join(first.split()).casefold() == " ".join(title.split()).casefold() else text
    )


def folder_label(source: str) -> str:
    """Name the folder a document lives in as people read it: "bedomning › mallar"."""
    parts = source.split("/")[:-1]
    if parts and parts[0] in ("material", "reflections"):
        parts = parts[1:]
    return " › ".join(parts)
