"""PowerPoint presentations (PPTX): the text of every slide, shown slide by slide.

Each slide gives its title, its text boxes (bullets by level), its tables and its speaker
notes, read by python-pptx in the sandbox; on its page every slide is a section headed
"Bild N". The package is checked in the server first (kb.ingest.extract.check_zip_package:
its parts, zip bombs, DOCTYPEs), and python-pptx parses without resolving entities.
"""

from __future__ import annotations

import html
import io

from kb.ingest.extract import ExtractionError, check_zip_package
from kb.ingest.formats.base import Format, Lists, bounded, clean_title
from kb.text.markup import clean_html, tidy

PARTS = ("[Content_Types].xml", "ppt/presentation.xml")
# The heading of each slide on its page. Renderings are cached per file, not per reader's
# language, and kb's documents are Swedish schools': the slide word is Swedish.
SLIDE = "Bild"
NOTES = "Anteckningar"
# Titles PowerPoint writes when the author gave none (English and Swedish PowerPoint).
DEFAULT_TITLES = {"powerpoint presentation", "powerpoint-presentation", "presentation"}


class Pptx(Format):
    """PowerPoint's own format since 2007, read by python-pptx."""

    name = "pptx"
    extensions = (".pptx",)
    media_type = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    noun = "a PowerPoint presentation (PPTX)"
    label = "PowerPoint (.pptx)"
    kind = "pptx"
    shown_as = "html"
    parsers = ("pptx",)

    def check(self, data: bytes) -> None:
        """Refuse a package without PowerPoint's parts, or one that would unpack to far more."""
        check_zip_package(data, PARTS, self.noun)

    def read(self, data: bytes) -> str:
        """Return the text of every slide in order: title, text boxes, tables, notes."""
        slides = []
        for slide in open_pptx(data).slides:
            lines = [text for _, _, text in _slide_lines(slide)]
            slides.append("\n".join(line for line in lines if line.strip()))
        return tidy("\n\n".join(slides))

    def title(self, data: bytes) -> str | None:
        """Return the first slide's title, else the title of the document properties."""
        presentation = open_pptx(data)
        for slide in list(presentation.slides)[:1]:
            shape = slide.shapes.title
            if shape is not None and shape.has_text_frame:
                title = clean_title(shape.text_frame.text)
                if title:
                    return title
        title = clean_title(presentation.core_properties.title)
        return None if title is None or title.casefold() in DEFAULT_TITLES else title

    def html(self, data: bytes) -> str:
        """Return the slides as HTML, each a section headed "Bild N" with its title below."""
        out: list[str] = []
        for number, slide in enumerate(open_pptx(data).slides, 1):
            out.append(f"<h2>{SLIDE} {number}</h2>")
            lists = Lists()
            for kind, level, text in _slide_lines(slide, as_html=True):
                if kind == "item":
                    out.append(lists.item("ul", level, text))
                    continue
                out.append(lists.close())
                out.append(_block(kind, text))
            out.append(lists.close())
        return bounded(clean_html("".join(out)))


def open_pptx(data: bytes):
    """Open a PPTX with python-pptx (its package checked in the server); refuse a broken one."""
    import pptx

    try:
        return pptx.Presentation(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # python-pptx raises several kinds for broken packages
        raise ExtractionError(f"is damaged ({type(exc).__name__}: {str(exc)[:200]})") from exc


def _block(kind: str, text: str) -> str:
    if kind == "title":
        return f"<h3>{text}</h3>"
    if kind == "table":
        return text
    if kind == "notes":
        return f"<blockquote><p><strong>{NOTES}:</strong> {text}</p></blockquote>"
    return f"<p>{text}</p>"


def _slide_lines(slide, as_html: bool = False):
    """Yield (kind, level, text) of a slide in reading order: its title, its text (a "para"
    or a bullet "item" with its level), its tables (one line per row, or an HTML table) and
    its speaker notes. Text is HTML-escaped when `as_html`."""
    title = slide.shapes.title
    if title is not None and title.has_text_frame and title.text_frame.text.strip():
        yield "title", 0, _text(title.text_frame.text, as_html)
    for shape in _shapes(slide.shapes):
        if title is not None and shape.shape_id == title.shape_id:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            yield "table", 0, _table(shape.table) if as_html else _table_text(shape.table)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            bullets = _is_body(shape)  # a layout's body: its paragraphs are bullets
            for paragraph in shape.text_frame.paragraphs:
                text = "".join(run.text for run in paragraph.runs) or paragraph.text
                if text.strip():
                    kind = "item" if bullets else "para"
                    yield kind, min(paragraph.level, 8), _text(text, as_html)
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            yield "notes", 0, _text(notes.text, as_html)


def _is_body(shape) -> bool:
    from pptx.enum.shapes import PP_PLACEHOLDER

    if not shape.is_placeholder:
        return False
    try:
        kind = shape.placeholder_format.type
    except (ValueError, KeyError):  # a placeholder type python-pptx does not know
        return False
    return kind in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)


def _shapes(shapes):
    """Yield the shapes of a slide, the members of a group in place of the group."""
    for shape in shapes:
        if hasattr(shape, "shapes"):  # a group
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _text(text: str, as_html: bool) -> str:
    text = text.replace("\x0b", "\n")  # PowerPoint's line break within a paragraph
    return html.escape(text).replace("\n", "<br>") if as_html else text


def _table_text(table) -> str:
    return "\n".join(" | ".join(cell.text for cell in row.cells) for row in table.rows)


def _table(table) -> str:
    """Return a table as HTML; its first row is the header when PowerPoint marks it so."""
    rows = []
    for n, row in enumerate(table.rows):
        tag = "th" if n == 0 and table.first_row else "td"
        scope = ' scope="col"' if tag == "th" else ""
        cells = "".join(f"<{tag}{scope}>{_text(cell.text, True)}</{tag}>" for cell in row.cells)
        rows.append(f"<tr>{cells}</tr>")
    if rows and table.first_row:
        return f"<table><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>"
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


FORMAT = Pptx()
