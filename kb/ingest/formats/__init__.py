"""The file formats kb reads: one module each, listed once here.

A format is a module in this package with a `Format` subclass (kb.ingest.formats.base: names,
how its bytes are checked, read, titled and shown) and its instance `FORMAT`; listing it in
FORMAT_LIST is all it takes for the share form, its refusals, bundles, the sandbox and the
document page to know it. `sniff` tells the bytes of a file once, in the server; the rest runs
in the sandbox child (`answer`).
"""

from __future__ import annotations

import base64

from kb.ingest.extract import KINDS, ExtractionError, check_size, identify
from kb.ingest.formats import docx, html, markdown, odt, pdf, pptx, text
from kb.ingest.formats.base import Format, check_text_size

FORMAT_LIST: tuple[Format, ...] = (
    markdown.FORMAT,
    text.FORMAT,
    html.FORMAT,
    pdf.FORMAT,
    docx.FORMAT,
    pptx.FORMAT,
    odt.FORMAT,
)
BY_NAME = {f.name: f for f in FORMAT_LIST}
FORMATS = {ext: f.name for f in FORMAT_LIST for ext in f.extensions}
MEDIA_TYPES = {f.name: f.media_type for f in FORMAT_LIST}
TEXT_FORMATS = tuple(f.name for f in FORMAT_LIST if f.text)
NAMES = {f.name: f.noun for f in FORMAT_LIST}
SHARE_FORMATS = tuple(f.name for f in FORMAT_LIST if f.shareable)
# What the share form accepts and says it accepts, and what its refusal lists.
SHARE_EXTENSIONS = tuple(e for f in FORMAT_LIST if f.shareable for e in f.extensions)
SHARE_LABELS = ", ".join(f.label for f in FORMAT_LIST if f.shareable)
SHARE_NAMES = ", ".join(f.name for f in FORMAT_LIST if f.shareable)
# Bump when a format's html, pages or page images change: cached renderings are made anew.
RENDER_VERSION = 1


def format_for(filename: str) -> str | None:
    """Return the kb format of a file name, or None when kb cannot read it."""
    lower = filename.lower()
    for ext, fmt in FORMATS.items():
        if lower.endswith(ext):
            return fmt
    return None


def get(name: str) -> Format:
    """Return a format by its kb name; refuse one kb cannot read."""
    found = BY_NAME.get(name)
    if found is None:
        raise ExtractionError(f"has a format kb cannot read ({name})", reason="mismatch")
    return found


def shown_as(name: str) -> str | None:
    """Return how a format is shown on its page ("html", "pages"), or None (its text)."""
    found = BY_NAME.get(name)
    return found.shown_as if found else None


def sniff(name: str, data: bytes) -> Format:
    """Check the bytes are of the claimed format, from their content; return the format.

    Cheap and bounded whatever the bytes: safe to run in the server process itself. A
    mismatch carries what the bytes really are (`ExtractionError.actual`).
    """
    fmt = get(name)
    check_size(len(data))
    actual = identify(data)
    if actual == "empty":
        if fmt.text:
            return fmt
        raise ExtractionError(f"is empty, not {fmt.noun}; refused", reason="mismatch")
    if actual != fmt.kind:
        raise ExtractionError(
            f"is not {fmt.noun}: it is really {KINDS[actual]} "
            "(told from its content, not its name); refused",
            reason="mismatch",
            actual=actual,
        )
    fmt.check(data)
    return fmt


def read_text(fmt: Format, data: bytes) -> str:
    """Return the text of bytes `sniff` passed, within the text limit (in the sandbox)."""
    found = fmt.read(data)
    check_text_size(len(found))
    return found


def own_title(fmt: Format, data: bytes) -> str | None:
    """Return the title a file gives itself, or None (never raises on a bad file)."""
    try:
        return fmt.title(data)
    except Exception:  # a hostile file has no title to offer, not an error
        return None


def extract_text(name: str, data: bytes) -> str:
    """Return the plain text of a file's bytes, read in this process.

    Use kb.ingest.sandbox.extract_text_safely for anything that came from outside.
    """
    return read_text(sniff(name, data), data)


def answer(task: str, name: str, data: bytes, page: int = 0) -> dict:
    """Do one task of the sandbox on bytes `sniff` passed: its answer (text, pages, image)."""
    fmt = get(name)
    if task == "text":
        return {"text": read_text(fmt, data), "title": own_title(fmt, data)}
    if task == "title":
        return {"title": own_title(fmt, data)}
    if task == "html" and fmt.shown_as == "html":
        return {"text": fmt.html(data)}
    if task == "pages" and fmt.shown_as == "pages":
        return {"pages": fmt.pages(data)}
    if task == "image" and fmt.shown_as == "pages":
        return {"image": base64.b64encode(fmt.page_image(data, page)).decode("ascii")}
    raise ExtractionError(f"cannot be shown as {task} ({name})", reason="mismatch")
