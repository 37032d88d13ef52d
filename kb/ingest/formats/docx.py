"""Word documents (DOCX): paragraphs and tables as text, shown as HTML with their structure."""

from __future__ import annotations

import html
import io
import re
import zipfile

from kb.ingest.extract import ExtractionError, check_zip_package, open_zip
from kb.ingest.formats.base import Format, Lists, bounded, clean_title, part
from kb.text.markup import clean_html, tidy

PARTS = ("[Content_Types].xml", "word/document.xml")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Docx(Format):
    """Word's own format since 2007, read by python-docx."""

    name = "docx"
    extensions = (".docx",)
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    noun = "a DOCX"
    label = "Word (.docx)"
    kind = "docx"
    shown_as = "html"
    parsers = ("docx",)

    def check(self, data: bytes) -> None:
        """Refuse a package without Word's parts, or one that would unpack to far more."""
        check_zip_package(data, PARTS, self.noun)

    def read(self, data: bytes) -> str:
        """Return paragraphs and table cells, in document order."""
        document = open_docx(data)
        parts: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if tag == "p":
                parts.append("".join(t.text or "" for t in child.iter() if _is(t, "t")))
            elif tag == "tbl":
                for row in child.iter():
                    if _is(row, "tr"):
                        cells = [_cell_text(c) for c in row.iterchildren() if _is(c, "tc")]
                        parts.append(" | ".join(cells))
        return tidy("\n".join(parts))

    def title(self, data: bytes) -> str | None:
        """Return the document properties' title, else a first paragraph styled as a title."""
        with open_zip(data) as package:
            names = set(package.namelist())
            core = part(package, "docProps/core.xml", 256 * 1024) if CORE in names else b""
            match = _CORE_TITLE.search(core)
            title = clean_title(match.group(1).decode("utf-8", "replace")) if match else None
            if title or "word/document.xml" not in names:
                return title
            body = part(package, "word/document.xml", DOCX_HEAD)
        return _styled_title(body.decode("utf-8", "replace"))

    def html(self, data: bytes) -> str:
        """Return the document as HTML: headings, paragraphs, lists and tables, in order."""
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = open_docx(data)
        kinds = _list_kinds(document)
        lists = Lists()
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
        return bounded(clean_html("".join(out)))


def open_docx(data: bytes):
    """Open a DOCX with python-docx (its package checked in the server); refuse a broken one."""
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"is damaged ({str(exc)[:200]})") from exc
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise ExtractionError(f"is damaged ({type(exc).__name__}: {str(exc)[:200]})") from exc


def _is(element, name: str) -> bool:
    # Comments and processing instructions have a function, not a string, as their tag.
    return isinstance(element.tag, str) and element.tag.endswith("}" + name)


def _cell_text(cell) -> str:
    return " ".join(t.text or "" for t in cell.iter() if _is(t, "t"))


# ---------------------------------------------------------------- its own title
CORE = "docProps/core.xml"
_CORE_TITLE = re.compile(rb"<dc:title>(.*?)</dc:title>", re.DOTALL)
# Read at most this much of a DOCX's body for its first paragraph (decompressed, streamed).
DOCX_HEAD = 200_000
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_STYLE = re.compile(r'<w:pStyle w:val="([^"]+)"')
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
# Word's own style ids for a document's title (English and Swedish Word).
TITLE_STYLES = {"title", "rubrik", "heading1", "rubrik1"}


def _styled_title(body: str) -> str | None:
    """Return the first non-empty paragraph's text when its style is Title or Heading 1."""
    for paragraph in _PARAGRAPH.finditer(body):
        text = "".join(_RUN_TEXT.findall(paragraph.group(0)))
        if not text.strip():
            continue
        style = _STYLE.search(paragraph.group(0))
        if style and style.group(1).casefold().replace(" ", "") in TITLE_STYLES:
            return clean_title(text)
        return None
    return None


# ---------------------------------------------------------------- as written
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
            level = min(int(style[len(prefix) :]) + 1, 6)
            return f"<h{level}>{inner}</h{level}>"
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
    abstract = {}
    for node in numbering.iterchildren(f"{W}abstractNum"):
        levels = {
            lvl.get(f"{W}ilvl"): (
                lvl.find(f"{W}numFmt").get(f"{W}val")
                if lvl.find(f"{W}numFmt") is not None
                else "bullet"
            )
            for lvl in node.iterchildren(f"{W}lvl")
        }
        abstract[node.get(f"{W}abstractNumId")] = levels
    kinds = {}
    for num in numbering.iterchildren(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        levels = abstract.get(ref.get(f"{W}val") if ref is not None else None, {})
        for level, fmt in levels.items():
            kinds[(num.get(f"{W}numId"), level)] = "ul" if fmt in ("bullet", "none") else "ol"
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
    if props is not None and props.find(f"{W}tblHeader") is not None:
        return True
    runs = [r for tc in tr.tc_lst for p in tc.p_lst for r in p.r_lst if (r.text or "").strip()]
    return bool(runs) and all(
        r.rPr is not None and r.rPr.b is not None and r.rPr.b.val is not False for r in runs
    )


FORMAT = Docx()
