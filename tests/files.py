"""Real PDF and DOCX files made on the fly for the tests."""

from __future__ import annotations

import io


def make_pdf(*lines: str) -> bytes:
    """Return a small, sound PDF with a text layer holding these lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.rect(72, 72, 200, 100, fill=1)  # a picture-like shape: a page even without text
    y = 800
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    """Return a small, sound DOCX with these paragraphs."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_docx_table(title: str, rows: list[tuple[str, ...]]) -> bytes:
    """Return a DOCX with a heading and one table; its first row (bold) is the header."""
    import docx

    document = docx.Document()
    document.add_heading(title, 1)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for cell, text in zip(table.rows[r].cells, row, strict=True):
            cell.paragraphs[0].add_run(text).bold = r == 0
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
