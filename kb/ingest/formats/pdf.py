"""PDF: the text layer of every page, shown as page texts beside page images."""

from __future__ import annotations

import io
import re

from kb.ingest.extract import ExtractionError
from kb.ingest.formats.base import Format, check_text_size, clean_title
from kb.limits import MAX_PREVIEW_PAGES, PREVIEW_HEIGHT, PREVIEW_WIDTH
from kb.text.markup import tidy
from kb.text.pages import drop_page_furniture, reflow

_PDF_TITLE = re.compile(rb"/Title\s*\(((?:[^()\\]|\\.){1,600})\)")


class Pdf(Format):
    """PDF, read and drawn by pdfium."""

    name = "pdf"
    extensions = (".pdf",)
    media_type = "application/pdf"
    noun = "a PDF"
    label = "PDF (.pdf)"
    kind = "pdf"
    shown_as = "pages"
    parsers = ("pypdfium2",)

    def check(self, data: bytes) -> None:
        """Refuse a PDF cut short: it has no %%EOF near its end."""
        if b"%%EOF" not in data[-4096:]:
            raise ExtractionError(
                "is damaged (the PDF stops before its end, with no %%EOF: a broken download or "
                "copy?)"
            )

    def read(self, data: bytes) -> str:
        """Return the text of every page, without page numbers and running headers."""
        return tidy("\n\n".join(drop_page_furniture(page_texts(data))))

    def title(self, data: bytes) -> str | None:
        """Return the /Title of the document information, read from the raw bytes."""
        match = _PDF_TITLE.search(data[:2_000_000]) or _PDF_TITLE.search(data[-200_000:])
        if not match:
            return None
        raw = re.sub(rb"\\(.)", rb"\1", match.group(1))
        if raw.startswith(b"\xfe\xff"):
            return clean_title(raw[2:].decode("utf-16-be", "replace"))
        return clean_title(raw.decode("latin-1"))

    def pages(self, data: bytes) -> list[str]:
        """Return the text of each page, without running headers and page numbers."""
        return [reflow(page) for page in drop_page_furniture(page_texts(data))]

    def page_image(self, data: bytes, number: int) -> bytes:
        """Return page `number` (from 1) as a PNG at most PREVIEW_WIDTH pixels wide."""
        pdf = open_pdf(data)
        try:
            if not 1 <= number <= min(len(pdf), MAX_PREVIEW_PAGES):
                raise ExtractionError(f"has no page {number} to show", reason="mismatch")
            page = pdf[number - 1]
            width, height = page.get_size()
            # Fit the width, and the height too: a page may claim to be kilometres long.
            scale = min(PREVIEW_WIDTH / max(width, 1), PREVIEW_HEIGHT / max(height, 1))
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            page.close()
            return out.getvalue()
        finally:
            pdf.close()


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


def page_texts(data: bytes) -> list[str]:
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
            check_text_size(size)
            pages.append(text)
    finally:
        pdf.close()
    return pages


FORMAT = Pdf()
