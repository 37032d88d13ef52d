"""Turn the bytes of a shared file into plain text, whatever its format."""

from __future__ import annotations

import io
import re
import zipfile

FORMATS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ExtractionError(ValueError):
    """A file that cannot be read as the format it claims to be."""


def format_for(filename: str) -> str | None:
    """Return the kb format of a file name, or None when kb cannot read it."""
    lower = filename.lower()
    for ext, fmt in FORMATS.items():
        if lower.endswith(ext):
            return fmt
    return None


def decode_text(data: bytes) -> str:
    """Decode text files: UTF-8 (with or without BOM), else Windows-1252 as schools often have."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff(fmt: str, data: bytes) -> None:
    """Check the content matches the claimed format, from its bytes, not its name."""
    if fmt == "pdf" and not data.lstrip()[:5].startswith(b"%PDF-"):
        raise ExtractionError("is not a PDF (the file does not start with %PDF-)")
    if fmt == "docx" and not data.startswith(b"PK\x03\x04"):
        raise ExtractionError("is not a DOCX (not a zip package)")
    if fmt in ("md", "txt", "html") and b"\x00" in data[:4096]:
        raise ExtractionError("is binary, not text")


def markdown_to_text(markdown: str) -> str:
    """Render Markdown and flatten it to plain text."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return html_to_text(html)


def html_to_text(html: str) -> str:
    """Flatten HTML to readable plain text (scripts and styles dropped)."""
    from inscriptis import get_text

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return tidy(get_text(html))


def tidy(text: str) -> str:
    """Collapse runs of blank lines and trailing spaces."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def pdf_to_text(data: bytes) -> str:
    """Extract the text layer of every page of a PDF."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium raises its own PdfiumError
        raise ExtractionError(f"cannot be read as a PDF ({exc})") from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return tidy("\n\n".join(pages))


def docx_to_text(data: bytes) -> str:
    """Extract paragraphs and table cells of a DOCX, in document order."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"cannot be read as a DOCX ({exc})") from exc
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise ExtractionError(f"cannot be read as a DOCX ({type(exc).__name__})") from exc
    parts: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append(" ".join(t.text or "" for t in cell.iter()
                                                  if t.tag.endswith("}t")))
                    parts.append(" | ".join(cells))
    return tidy("\n".join(parts))


def extract_text(fmt: str, data: bytes) -> str:
    """Return the plain text of a file's bytes in the given format."""
    sniff(fmt, data)
    if fmt == "md":
        return markdown_to_text(decode_text(data))
    if fmt == "txt":
        return tidy(decode_text(data))
    if fmt == "html":
        return html_to_text(decode_text(data))
    if fmt == "pdf":
        return pdf_to_text(data)
    if fmt == "docx":
        return docx_to_text(data)
    raise ExtractionError(f"has a format kb cannot read ({fmt})")
