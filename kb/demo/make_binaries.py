#!/usr/bin/env python3
"""Generate the binary documents (PDF and DOCX) of the Sjövik demo bundle.

Usage (from the repository root):

    .venv/bin/python -m kb.demo.make_binaries [BUNDLE]

BUNDLE defaults to kb/demo/bundle next to this script. The metadata of each
document lives in a hand-written sidecar NAME.EXT.yaml in the bundle; this
script only writes the documents themselves. The output is reproducible: the
PDFs are written in reportlab's invariant mode and the DOCX files get fixed
core properties and fixed zip timestamps, so that regenerating them gives the
same bytes.

Needs reportlab and python-docx. Text is set in DejaVu Sans when that font is
installed (so that å, ä, ö and – come out right and can be extracted again),
otherwise in Helvetica, whose WinAnsi encoding also covers Swedish letters.
"""

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.shared import Pt
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kb.demo.documents import DOCXS, PDFS

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 1, 12, 0, 0)

# --------------------------------------------------------------------------- content
# Each document is a title, an author line and a list of blocks:
#   ("h2", text) | ("h3", text) | ("p", text) | ("ul", [items]) | ("ol", [items])
#   | ("table", [header row, row, ...])

# --------------------------------------------------------------------------- PDF


def pdf_fonts():
    """Register DejaVu Sans if installed; return (regular, bold) font names."""
    for folder in (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")):
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def pdf_styles(regular: str, bold: str) -> dict:
    """Return the paragraph styles of the demo PDFs, by block kind."""
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "t", parent=base["Title"], fontName=bold, fontSize=18, leading=22, alignment=0
        ),
        "author": ParagraphStyle(
            "a",
            parent=base["Normal"],
            fontName=regular,
            fontSize=9,
            textColor=colors.grey,
            spaceAfter=10,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName=bold,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base["Heading3"], fontName=bold, fontSize=11, keepWithNext=1
        ),
        "p": ParagraphStyle(
            "p", parent=base["BodyText"], fontName=regular, fontSize=10.5, leading=14
        ),
        "cell": ParagraphStyle(
            "c", parent=base["BodyText"], fontName=regular, fontSize=9, leading=11
        ),
        "head": ParagraphStyle(
            "hc", parent=base["BodyText"], fontName=bold, fontSize=9, leading=11
        ),
    }


def pdf_block(kind: str, content, styles: dict, regular: str) -> list:
    """Return the flowables of one block."""
    if kind in ("h2", "h3", "p"):
        return [Paragraph(escape(content), styles[kind])]
    if kind in ("ul", "ol"):
        items = [ListItem(Paragraph(escape(item), styles["p"])) for item in content]
        return [
            ListFlowable(
                items,
                bulletType="1" if kind == "ol" else "bullet",
                start="1" if kind == "ol" else "•",
                bulletFormat="%s." if kind == "ol" else None,
                bulletFontName=regular,
                leftIndent=14,
            )
        ]
    if kind == "table":
        rows = [
            [Paragraph(escape(c), styles["head" if i == 0 else "cell"]) for c in row]
            for i, row in enumerate(content)
        ]
        width = (A4[0] - 4 * cm) / len(content[0])
        table = Table(rows, colWidths=[width] * len(content[0]), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [Spacer(1, 4), table]
    return []


def write_pdf(doc, target):
    """Write one document as a PDF with real, extractable text."""
    rl_config.invariant = 1
    regular, bold = pdf_fonts()
    styles = pdf_styles(regular, bold)
    story = [
        Paragraph(escape(doc["title"]), styles["title"]),
        Paragraph(escape(doc["author"]), styles["author"]),
    ]
    for kind, content in doc["blocks"]:
        story += pdf_block(kind, content, styles, regular)
        story.append(Spacer(1, 4))

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(2 * cm, 1.2 * cm, f"Sjöviks kommun – {doc['title']}")
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Sida {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        title=doc["title"],
        author=doc["author"],
        subject="Sjöviks kommun, kollegialt lärande",
        creator="make_binaries.py",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)


# --------------------------------------------------------------------------- DOCX


def write_docx(doc, target):
    """Write one document as a DOCX with headings, lists and tables."""
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(doc["title"], level=1)
    document.add_paragraph(doc["author"]).italic = True
    for kind, content in doc["blocks"]:
        if kind == "h2":
            document.add_heading(content, level=2)
        elif kind == "h3":
            document.add_heading(content, level=3)
        elif kind == "p":
            document.add_paragraph(content)
        elif kind in ("ul", "ol"):
            style = "List Number" if kind == "ol" else "List Bullet"
            for item in content:
                document.add_paragraph(item, style=style)
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    props = document.core_properties
    props.title = doc["title"]
    props.author = doc["author"]
    props.last_modified_by = doc["author"]
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1

    buffer = io.BytesIO()
    document.save(buffer)
    # Rewrite the zip with fixed timestamps so that the output is reproducible.
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def main(argv):
    bundle = Path(argv[1]) if len(argv) > 1 else HERE / "bundle"
    for doc in PDFS:
        target = bundle / doc["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(doc, target)
        print(f"wrote {target}")
    for doc in DOCXS:
        target = bundle / doc["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        write_docx(doc, target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
