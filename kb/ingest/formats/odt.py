"""OpenDocument text (ODT, LibreOffice's and OpenOffice's own): headings, paragraphs, lists
and tables, read from content.xml and shown with their structure.

content.xml and meta.xml are parsed by defusedxml with DOCTYPEs forbidden (no entity is ever
expanded, nothing is fetched), in the sandbox; the package is checked in the server first
(kb.ingest.extract.check_zip_package: its parts, zip bombs, DOCTYPEs).
"""

from __future__ import annotations

import html
import re

from kb.ingest.extract import ExtractionError, check_zip_package, open_zip
from kb.ingest.formats.base import Format, Lists, bounded, clean_title, part
from kb.text.markup import clean_html, tidy

PARTS = ("mimetype", "content.xml")
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
DC = "{http://purl.org/dc/elements/1.1/}"
META_SIZE = 1024 * 1024  # meta.xml read at most (a few keys)
_SPACE = re.compile(r"[ \t\r\n]+")
# Cells a table row may repeat (an empty cell repeated to the page's edge is written once).
MAX_REPEAT = 100


class Odt(Format):
    """An OpenDocument text document."""

    name = "odt"
    extensions = (".odt",)
    media_type = "application/vnd.oasis.opendocument.text"
    noun = "an OpenDocument text (ODT)"
    label = "OpenDocument (.odt)"
    kind = "odt"
    shown_as = "html"
    parsers = ("defusedxml.ElementTree",)

    def check(self, data: bytes) -> None:
        """Refuse a package without content.xml, or one that would unpack to far more."""
        check_zip_package(data, PARTS, self.noun)

    def read(self, data: bytes) -> str:
        """Return headings, paragraphs, list items and table rows, in document order."""
        document = _Document(data)
        lines = []
        for kind, _, inner in document.blocks(as_html=False):
            lines.append(" | ".join(inner) if kind == "table" else inner)
        return tidy("\n".join(lines))

    def title(self, data: bytes) -> str | None:
        """Return the title of meta.xml, else the first heading."""
        with open_zip(data) as package:
            meta = (
                part(package, "meta.xml", 256 * 1024) if "meta.xml" in package.namelist() else b""
            )
        title = clean_title(_xml(meta).findtext(f".//{DC}title")) if meta else None
        if title:
            return title
        for kind, _, inner in _Document(data).blocks(as_html=False):
            if kind in ("h", "title"):
                return clean_title(inner)
        return None

    def html(self, data: bytes) -> str:
        """Return the document as HTML: headings, paragraphs, lists and tables, in order."""
        out: list[str] = []
        lists = Lists()
        for kind, level, inner in _Document(data).blocks(as_html=True):
            if kind in ("ul", "ol"):
                out.append(lists.item(kind, level, inner))
                continue
            out.append(lists.close())
            if kind == "title":
                out.append(f"<h1>{inner}</h1>")
            elif kind == "h":
                out.append(f"<h{level}>{inner}</h{level}>")
            elif kind == "table":
                out.append(inner)
            elif inner.strip():
                out.append(f"<p>{inner}</p>")
        out.append(lists.close())
        return bounded(clean_html("".join(out)))


def _xml(data: bytes):
    """Parse XML with no DOCTYPE allowed, so no entity is expanded and nothing fetched."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ExtractionError(
            "has XML that declares a DOCTYPE, which no document program writes (an XML entity "
            "attack?); refused"
        ) from exc
    except ParseError as exc:
        raise ExtractionError(f"is damaged (its XML does not parse: {exc})") from exc


class _Document:
    """The body of an ODT and the character and list styles its blocks refer to."""

    def __init__(self, data: bytes) -> None:
        with open_zip(data) as package:
            root = _xml(package.read("content.xml"))
        self.body = root.find(f"{OFFICE}body/{OFFICE}text")
        if self.body is None:
            raise ExtractionError("is not an OpenDocument text: it has no text body; refused")
        styles = root.find(f"{OFFICE}automatic-styles")
        self.bold, self.italic, self.numbered, self.titles = set(), set(), set(), {"Title"}
        for style in styles if styles is not None else ():
            self._note_style(style)

    def _note_style(self, style) -> None:
        name = style.get(f"{STYLE}name")
        if style.tag == f"{TEXT}list-style":
            first = next(iter(style), None)
            if first is not None and first.tag == f"{TEXT}list-level-style-number":
                self.numbered.add(name)
            return
        if style.get(f"{STYLE}parent-style-name") == "Title":
            self.titles.add(name)
        props = style.find(f"{STYLE}text-properties")
        if props is not None:
            if props.get(f"{FO}font-weight") == "bold":
                self.bold.add(name)
            if props.get(f"{FO}font-style") == "italic":
                self.italic.add(name)

    def blocks(self, as_html: bool):
        """Yield (kind, level, inner) in document order: "title", "h" (level as HTML's), "p",
        "ul"/"ol" items (level: depth), "table" (inner: HTML, or its rows as lines)."""
        yield from self._blocks(self.body, as_html, None, -1)

    def _blocks(self, node, as_html: bool, list_tag: str | None, depth: int):
        for child in node:
            tag = child.tag
            if tag == f"{TEXT}h":
                level = min(int(_number(child.get(f"{TEXT}outline-level"), 1)) + 1, 6)
                yield "h", level, self.inline(child, as_html)
            elif tag == f"{TEXT}p":
                style = child.get(f"{TEXT}style-name")
                kind = list_tag or ("title" if style in self.titles else "p")
                yield kind, max(depth, 0), self.inline(child, as_html)
            elif tag == f"{TEXT}list":
                style = child.get(f"{TEXT}style-name")
                # A list without a style of its own continues the one it is nested in.
                inner_tag = ("ol" if style in self.numbered else "ul") if style else list_tag
                yield from self._blocks(child, as_html, inner_tag or "ul", depth + 1)
            elif tag in (f"{TEXT}list-item", f"{TEXT}list-header", f"{TEXT}section"):
                yield from self._blocks(child, as_html, list_tag, depth)
            elif tag == f"{TABLE}table":
                if as_html:
                    yield "table", 0, self.table(child)
                else:
                    for row in child.iter(f"{TABLE}table-row"):
                        yield "table", 0, [_one_line(self.inline(c, False)) for c in _cells(row)]

    def inline(self, node, as_html: bool) -> str:
        """Return the text of a paragraph or cell, as HTML with bold, italics and links."""
        parts = [_escape(node.text, as_html)]
        for child in node:
            parts.append(self._piece(child, as_html))
            parts.append(_escape(child.tail, as_html))
        return "".join(parts)

    def _piece(self, child, as_html: bool) -> str:
        tag = child.tag
        if tag == f"{TEXT}s":
            return " " * min(int(_number(child.get(f"{TEXT}c"), 1)), 100)
        if tag == f"{TEXT}tab":
            return " "
        if tag == f"{TEXT}line-break":
            return "<br>" if as_html else "\n"
        if tag in (f"{TEXT}note", f"{OFFICE}annotation", f"{TEXT}bookmark-ref"):
            return ""
        inner = self.inline(child, as_html)
        if not as_html:
            return inner if tag != f"{TEXT}p" else inner + "\n"
        if tag == f"{TEXT}a":
            href = html.escape(child.get(f"{XLINK}href") or "")
            return f'<a href="{href}">{inner}</a>' if href else inner
        style = child.get(f"{TEXT}style-name")
        if style in self.bold:
            inner = f"<strong>{inner}</strong>"
        if style in self.italic:
            inner = f"<em>{inner}</em>"
        return inner + ("<br>" if tag == f"{TEXT}p" else "")

    def table(self, node) -> str:
        """Return a table as HTML: the rows of its header become th cells."""
        head, body = [], []
        for rows in node.iter():
            if rows.tag != f"{TABLE}table-row":
                continue
            header = _in_header(node, rows)
            cells = []
            for cell in _cells(rows):
                span = _number(cell.get(f"{TABLE}number-columns-spanned"), 1)
                colspan = f' colspan="{min(span, 100)}"' if span > 1 else ""
                inner = self.inline(cell, True).removesuffix("<br>")
                cells.append(
                    f'<th scope="col"{colspan}>{inner}</th>'
                    if header
                    else f"<td{colspan}>{inner}</td>"
                )
            (head if header else body).append(f"<tr>{''.join(cells)}</tr>")
        thead = f"<thead>{''.join(head)}</thead>" if head else ""
        return f"<table>{thead}<tbody>{''.join(body)}</tbody></table>"


def _cells(row):
    """Yield the cells of a table row, a repeated one as often as it repeats (within bounds)."""
    for cell in row:
        if cell.tag != f"{TABLE}table-cell":
            continue  # a covered cell (merged into its neighbour) shows nothing
        repeat = _number(cell.get(f"{TABLE}number-columns-repeated"), 1)
        for _ in range(min(repeat, MAX_REPEAT) if len(cell) else 1):
            yield cell


def _in_header(table, row) -> bool:
    header = table.find(f"{TABLE}table-header-rows")
    return header is not None and any(r is row for r in header)


def _number(value: str | None, default: int) -> int:
    try:
        return max(int(value or default), 1)
    except ValueError:
        return default


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str | None, as_html: bool) -> str:
    # In ODF, runs of white space in text are one space (text:s and text:tab are written out).
    text = _SPACE.sub(" ", text or "")
    return html.escape(text) if as_html else text


FORMAT = Odt()
