"""HTML files: read as text, shown through the one allow-list, titled by <title> or <h1>."""

from __future__ import annotations

import re

from kb.ingest.extract import decode_text
from kb.ingest.formats.base import Format, bounded, clean_title
from kb.text.markup import clean_html, html_to_text

_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)


class Html(Format):
    """A web page saved as a file."""

    name = "html"
    extensions = (".html", ".htm")
    media_type = "text/html; charset=utf-8"
    noun = "an HTML file"
    label = "HTML (.html)"
    kind = "text"
    text = True
    shown_as = "html"
    parsers = ("inscriptis", "nh3")

    def read(self, data: bytes) -> str:
        """Return the page's text, scripts and styles dropped."""
        return html_to_text(decode_text(data))

    def title(self, data: bytes) -> str | None:
        """Return the <title>, else the first <h1>."""
        head = data[:200_000]
        match = _HTML_TITLE.search(head) or _HTML_H1.search(head)
        return clean_title(match.group(1).decode("utf-8", "replace")) if match else None

    def html(self, data: bytes) -> str:
        """Return the page's content as allow-listed HTML."""
        return bounded(clean_html(decode_text(data)))


FORMAT = Html()
