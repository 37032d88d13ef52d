"""The readers of each format: bytes in, plain text out (run them in kb.ingest.sandbox)."""

from __future__ import annotations

import io
import re
import time
import zipfile

from kb.ingest.extract import ExtractionError, check_docx_package, decode_text, sniff, too_large
from kb.ingest.formats import MEDIA_TYPES
from kb.limits import MARKDOWN_BUDGET, MAX_TEXT_CHARS
from kb.text.frontmatter import strip_front_matter
from kb.text.markup import html_to_text, markdown_to_text, tidy
from kb.text.pages import drop_page_furniture


def _pdfium_reason(exc: Exception) -> str:
    reason = str(exc).strip().rstrip(".")
    match = re.search(r"\(PDFium: ([^)]*)\)", reason)
    return f"PDFium: {match.group(1)}" if match else reason or type(exc).__name__


def open_pdf(data: bytes):
    """Open a PDF with pdfium; a damaged or encrypted one is refused in words."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium raises its own PdfiumError
        if "password" in str(exc).lower():
            raise ExtractionError(
                "is a password-protected PDF, which kb cannot read; refused", reason="encrypted"
            ) from exc
        raise ExtractionError(f"is damaged ({_pdfium_reason(exc)})") from exc


def pdf_page_texts(data: bytes) -> list[str]:
    """Return the text layer of each page of a PDF, as pdfium reads it."""
    pdf = open_pdf(data)
    try:
        pages, size = [], 0
        for page in pdf:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            size += len(text)
            _check_text_size(size)
            pages.append(text)
    finally:
        pdf.close()
    return pages


def pdf_to_text(data: bytes) -> str:
    """Extract the text of every page of a PDF, without page numbers and running headers."""
    return tidy("\n\n".join(drop_page_furniture(pdf_page_texts(data))))


def open_docx(data: bytes):
    """Open a DOCX with python-docx after the package checks; a broken one is refused."""
    import docx

    check_docx_package(data)
    try:
        return docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"is damaged ({str(exc)[:200]})") from exc
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise ExtractionError(f"is damaged ({type(exc).__name__}: {str(exc)[:200]})") from exc


def docx_to_text(data: bytes) -> str:
    """Extract paragraphs and table cells of a DOCX, in document order."""
    document = open_docx(data)
    parts: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if _is(t, "t")))
        elif tag == "tbl":
            for row in child.iter():
                if _is(row, "tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if _is(cell, "tc"):
                            cells.append(" ".join(t.text or "" for t in cell.iter() if _is(t, "t")))
                    parts.append(" | ".join(cells))
    return tidy("\n".join(parts))


def _is(element, name: str) -> bool:
    # Comments and processing instructions have a function, not a string, as their tag.
    return isinstance(element.tag, str) and element.tag.endswith("}" + name)


def _check_text_size(size: int) -> None:
    if size > MAX_TEXT_CHARS:
        millions = f"{MAX_TEXT_CHARS / 1e6:g} million"
        raise too_large(
            f"holds more than {millions} characters of text (some 2 500 pages); refused"
        )


def extract_text(fmt: str, data: bytes) -> str:
    """Return the plain text of a file's bytes in the given format.

    This runs the parsers in the calling process: use kb.ingest.sandbox.extract_text_safely
    for anything that came from outside. Markdown loses its front matter.
    """
    if fmt not in MEDIA_TYPES:
        raise ExtractionError(f"has a format kb cannot read ({fmt})", reason="mismatch")
    sniff(fmt, data)
    if fmt == "md":
        started = time.process_time()
        text = markdown_to_text(strip_front_matter(decode_text(data)))
        spent = time.process_time() - started
        if spent > MARKDOWN_BUDGET:
            # Each view of the document renders it again: refuse what would slow every view.
            raise ExtractionError(
                f"is Markdown that takes {spent:.1f} s to render (at most "
                f"{MARKDOWN_BUDGET:g} s accepted); refused",
                reason="timeout",
            )
    elif fmt == "txt":
        text = tidy(decode_text(data))
    elif fmt == "html":
        text = html_to_text(decode_text(data))
    elif fmt == "pdf":
        text = pdf_to_text(data)
    else:
        text = docx_to_text(data)
    _check_text_size(len(text))
    return text
