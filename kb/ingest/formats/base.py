"""The protocol every file format kb reads follows, and the pieces several formats share.

A format is one module in this package with one `Format` subclass and its instance `FORMAT`;
kb.ingest.formats lists them. The bytes are hostile: `check` runs in the server and must stay
cheap and bounded whatever the bytes; `read`, `title`, `html`, `pages` and `page_image` run only
in the sandbox child (kb.ingest.sandbox_child), after `check` passed in the server. Parsers are
imported inside the methods, so that listing the formats imports none of them.
"""

from __future__ import annotations

import html
import re

from kb.ingest.extract import ExtractionError, too_large
from kb.limits import MAX_TEXT_CHARS


class Format:
    """One file format: its names, how its bytes are told and checked, read, titled and shown."""

    name = ""  # kb's name, stored on the document: "pdf"
    extensions: tuple[str, ...] = ()  # file endings, lower case: (".html", ".htm")
    media_type = ""  # of the original when it is downloaded
    noun = ""  # in messages: "is not a PDF"
    label = ""  # on the share form, the same in every language: "PDF (.pdf)"
    kind = ""  # what kb.ingest.extract.identify calls its bytes ("text" for text formats)
    text = False  # a text format: empty is fine, and its content is told only as "text"
    shareable = True  # offered on the share form
    shown_as: str | None = None  # on its page: "html" (self.html) or "pages" (self.pages)
    keeps_original = True  # the file is stored beside its text (Markdown keeps its body instead)
    parsers: tuple[str, ...] = ()  # modules the sandbox child imports once, before any file

    def check(self, data: bytes) -> None:
        """Refuse bytes of the right kind that are still unsound (in the server: bounded)."""

    def read(self, data: bytes) -> str:
        """Return the plain text of the file (in the sandbox)."""
        raise NotImplementedError

    def title(self, data: bytes) -> str | None:
        """Return the title the file gives itself, or None (in the sandbox)."""
        return None

    def body(self, data: bytes) -> str | None:
        """Return the text as written that kb keeps instead of the file (Markdown), or None."""
        return None

    def html(self, data: bytes) -> str:
        """Return the file as allow-listed HTML (in the sandbox)."""
        raise ExtractionError(f"cannot be shown as html ({self.name})", reason="mismatch")

    def pages(self, data: bytes) -> list[str]:
        """Return the text of each page (in the sandbox)."""
        raise ExtractionError(f"cannot be shown as pages ({self.name})", reason="mismatch")

    def page_image(self, data: bytes, number: int) -> bytes:
        """Return page `number` (from 1) as PNG (in the sandbox)."""
        raise ExtractionError(f"cannot be shown as image ({self.name})", reason="mismatch")


# ---------------------------------------------------------------- limits every reader keeps
def check_text_size(size: int) -> None:
    """Refuse a file whose text is longer than MAX_TEXT_CHARS."""
    if size > MAX_TEXT_CHARS:
        millions = f"{MAX_TEXT_CHARS / 1e6:g} million"
        raise too_large(
            f"holds more than {millions} characters of text (some 2 500 pages); refused"
        )


def bounded(out: str) -> str:
    """Return page HTML, refusing one too large to show."""
    if len(out) > 4 * MAX_TEXT_CHARS:
        raise too_large("is too large to show as a page; refused")
    return out


# ---------------------------------------------------------------- titles
MAX_TITLE = 300
_TAGS = re.compile(r"<[^>]+>")
# Titles that programs write when the author gave none.
NO_TITLE = {"untitled", "(untitled)", "anonymous", "document", "dokument", "namnlös"}


def clean_title(value: str | None) -> str | None:
    """Return a title as one line of text, or None when it is empty or a program's default."""
    value = " ".join(html.unescape(_TAGS.sub(" ", value or "")).split())
    if value.casefold() in NO_TITLE:
        return None
    return value[:MAX_TITLE] or None


def part(package, name: str, limit: int) -> bytes:
    """Return at most `limit` bytes of a zip package's part, decompressed as they are read."""
    with package.open(name) as opened:
        return opened.read(limit)


# ---------------------------------------------------------------- page HTML
class Lists:
    """The lists open while paragraphs are written as HTML: items nest by depth."""

    def __init__(self) -> None:
        self.open: list[str] = []  # the tag of each open list, outermost first

    def item(self, tag: str, depth: int, inner: str) -> str:
        """Return the HTML that puts one item of list `tag` at `depth` (from 0)."""
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
        """Return the HTML that closes every open list."""
        out = "".join(f"</li></{tag}>" for tag in reversed(self.open))
        self.open = []
        return out
