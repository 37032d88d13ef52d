"""Files shown as written: DOCX and HTML as safe page HTML, PDF pages as text and as images.

The bytes are hostile: run these in kb.ingest.sandbox (`render_safely`), never in the server.
Whatever HTML comes out passes kb.text.markup.clean_html, the one allow-list.
"""

from __future__ import annotations

import base64
import html
import io

from kb.ingest.extract import ExtractionError, decode_text, sniff, too_large
from kb.ingest.readers import open_docx, open_pdf, pdf_page_texts
from kb.limits import MAX_PREVIEW_PAGES, MAX_TEXT_CHARS, PREVIEW_HEIGHT, PREVIEW_WIDTH
from kb.text.markup import clean_html
from kb.text.pages import drop_page_furniture, reflow

RENDER_VERSION = 1  # bump when the output changes: cached renderings are then made anew


def html_document(data: bytes) -> str:
    """Return an HTML file's content as allow-listed HTML."""
    return _bounded(clean_html(decode_text(data)))


def _bounded(out: str) -> str:
    if len(out) > 4 * MAX_TEXT_CHARS:
        raise too_large("is too large to show as a page; refused")
    return out


# ---------------------------------------------------------------- DOCX
def docx_document(data: bytes) -> str:
    """Return a DOCX as HTML: its headings, paragraphs, lists and tables, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = open_docx(data)
    kinds = _list_kinds(document)
    lists = _Lists()
    out: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            para = Paragraph(child, document._body)
            item = _list_item(para, kinds)
            if item is None:
                out.append(lists.close())
                out.append(_block(para))
            else:
                out.append(lists.item(*item, _inline(para)))
        elif tag == "tbl":
            out.append(lists.close())
            out.append(_table(Table(child, document._body)))
    out.append(lists.close())
    return _bounded(clean_html("".join(out)))


def _style(para) -> str:
    try:
        return (para.style.name or "") if para.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _block(para) -> str:
    style, inner = _style(para), _inline(para)
    if not inner.strip():
        return ""
    if style == "Title":
        return f"<h1>{inner}</h1>"
    for prefix in ("Heading ", "Rubrik "):
        if style.startswith(prefix) and style[len(prefix) :].isdigit():
            return f"<h{min(int(style[len(prefix) :]) + 1, 6)}>{inner}</h{min(int(style[len(prefix) :]) + 1, 6)}>"
    return f"<p>{inner}</p>"


def _inline(para) -> str:
    """Return a paragraph's runs as HTML: bold, italics, line breaks and links kept."""
    from docx.text.hyperlink import Hyperlink

    parts = []
    for piece in para.iter_inner_content():
        if isinstance(piece, Hyperlink):
            text = "".join(_run(r) for r in piece.runs)
            address = piece.address
            parts.append(f'<a href="{html.escape(address)}">{text}</a>' if address else text)
        else:
            parts.append(_run(piece))
    return "".join(parts)


def _run(run) -> str:
    text = html.escape(run.text or "").replace("\n", "<br>").replace("\t", " ")
    if not text:
        return ""
    if run.bold:
        text = f"<strong>{text}</strong>"
    if run.italic:
        text = f"<em>{text}</em>"
    return text


def _list_kinds(document) -> dict[tuple[str, str], str]:
    """Return (numId, level) -> "ul" or "ol", from the document's numbering definitions."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    abstract = {}
    for node in numbering.iterchildren(f"{w}abstractNum"):
        levels = {
            lvl.get(f"{w}ilvl"): (
                lvl.find(f"{w}numFmt").get(f"{w}val")
                if lvl.find(f"{w}numFmt") is not None
                else "bullet"
            )
            for lvl in node.iterchildren(f"{w}lvl")
        }
        abstract[node.get(f"{w}abstractNumId")] = levels
    kinds = {}
    for num in numbering.iterchildren(f"{w}num"):
        ref = num.find(f"{w}abstractNumId")
        levels = abstract.get(ref.get(f"{w}val") if ref is not None else None, {})
        for level, fmt in levels.items():
            kinds[(num.get(f"{w}numId"), level)] = "ul" if fmt in ("bullet", "none") else "ol"
    return kinds


def _list_item(para, kinds) -> tuple[str, int] | None:
    """Return (list tag, depth) when a paragraph is a list item, else None."""
    style = _style(para)
    props = para._p.pPr
    numbering = props.numPr if props is not None else None
    if numbering is not None and numbering.numId is not None and numbering.numId.val != 0:
        level = numbering.ilvl.val if numbering.ilvl is not None else 0
        tag = kinds.get((str(numbering.numId.val), str(level)))
        if tag is None:
            tag = "ol" if "Number" in style else "ul"
        return tag, min(int(level), 8)
    if style.startswith(
        ("List Bullet", "List Number", "Liststycke", "Punktlista", "Numrerad lista")
    ):
        tag = "ol" if ("Number" in style or "Numrerad" in style) else "ul"
        last = style.rsplit(" ", 1)[-1]
        return tag, (int(last) - 1 if last.isdigit() else 0)
    return None


class _Lists:
    """The lists open while paragraphs are read: items nest by depth."""

    def __init__(self) -> None:
        self.open: list[str] = []  # the tag of each open list, outermost first

    def item(self, tag: str, depth: int, inner: str) -> str:
        out = []
        depth = min(depth, len(self.open))  # a list never starts two levels down
        while len(self.open) > depth + 1:
            out.append(f"</li></{self.open.pop()}>")
        if len(self.open) == depth + 1 and self.open[-1] != tag:
            out.append(f"</li></{self.open.pop()}>")
        if len(self.open) == depth + 1:
            out.append("</li>")
        else:
            self.open.append(tag)
            out.append(f"<{tag}>")
        out.append(f"<li>{inner}")
        return "".join(out)

    def close(self) -> str:
        out = "".join(f"</li></{tag}>" for tag in reversed(self.open))
        self.open = []
        return out


def _table(table) -> str:
    """Return a table as HTML: a header row (repeated or all bold) becomes th cells."""
    from docx.text.paragraph import Paragraph

    rows = []
    for n, tr in enumerate(table._tbl.tr_lst):
        cells = []
        header = n == 0 and _is_header(tr)
        for tc in tr.tc_lst:
            merged = (
                tc.tcPr is not None
                and tc.tcPr.vMerge is not None
                and tc.tcPr.vMerge.val != "restart"
            )
            inner = (
                ""
                if merged
                else "<br>".join(filter(None, (_inline(Paragraph(p, table)) for p in tc.p_lst)))
            )
            span = f' colspan="{tc.grid_span}"' if tc.grid_span > 1 else ""
            cells.append(
                f'<th scope="col"{span}>{inner}</th>' if header else f"<td{span}>{inner}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if rows and "<th" in rows[0]:
        return f"<table><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>"
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def _is_header(tr) -> bool:
    props = tr.trPr
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    if props is not None and props.find(f"{w}tblHeader") is not None:
        return True
    runs = [r for tc in tr.tc_lst for p in tc.p_lst for r in p.r_lst if (r.text or "").strip()]
    return bool(runs) and all(
        r.rPr is not None and r.rPr.b is not None and r.rPr.b.val is not False for r in runs
    )


# ---------------------------------------------------------------- PDF
def pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, without running headers and page numbers."""
    return [reflow(page) for page in drop_page_furniture(pdf_page_texts(data))]


def pdf_page_image(data: bytes, number: int) -> bytes:
    """Return page `number` (from 1) of a PDF as a PNG at most PREVIEW_WIDTH pixels wide."""
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


def render(task: str, fmt: str, data: bytes, page: int = 0) -> dict:
    """Do one rendering task; return the answer the sandbox sends (text, pages or image)."""
    sniff(fmt, data)
    if task == "html" and fmt == "html":
        return {"text": html_document(data)}
    if task == "html" and fmt == "docx":
        return {"text": docx_document(data)}
    if task == "pages" and fmt == "pdf":
        return {"pages": pdf_pages(data)}
    if task == "image" and fmt == "pdf":
        return {"image": base64.b64encode(pdf_page_image(data, page)).decode("ascii")}
    raise ExtractionError(f"cannot be shown as {task} ({fmt})", reason="mismatch")
