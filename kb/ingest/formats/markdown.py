"""Markdown: read without its front matter, titled by front matter or first heading."""

from __future__ import annotations

import re
import time

from kb.ingest.extract import ExtractionError, decode_text
from kb.ingest.formats.base import Format, bounded, clean_title
from kb.limits import MARKDOWN_BUDGET
from kb.text.frontmatter import split_front_matter, strip_front_matter
from kb.text.markup import markdown_to_text, render_markdown

_HEADING = re.compile(r"^#{1,2}\s+(.+?)\s*#*\s*$", re.MULTILINE)


class Markdown(Format):
    """Markdown: kept as its body (shown rendered on its page), not as a file."""

    name = "md"
    extensions = (".md", ".markdown")
    media_type = "text/markdown; charset=utf-8"
    noun = "a Markdown file"
    label = "Markdown (.md)"
    kind = "text"
    text = True
    # Rendered in the sandbox and cached like the other formats shown as HTML: Markdown made
    # to be slow (90 KB of "[" takes 1.5 s) must not hold the server while someone reads it.
    shown_as = "html"
    keeps_original = False
    parsers = ("markdown_it", "inscriptis")

    def read(self, data: bytes) -> str:
        """Return the text of the Markdown, front matter dropped, within MARKDOWN_BUDGET."""
        started = time.process_time()
        text = markdown_to_text(strip_front_matter(decode_text(data)))
        spent = time.process_time() - started
        if spent > MARKDOWN_BUDGET:
            # Each view of the document renders it again: refuse what would slow every view.
            raise ExtractionError(
                f"is Markdown that takes {spent:.1f} s to render (at most "
                f"{MARKDOWN_BUDGET:g} s accepted); refused",
                reason="timeout",
            )
        return text

    def body(self, data: bytes) -> str | None:
        """Return the Markdown as written, without front matter (its YAML is not parsed)."""
        return strip_front_matter(decode_text(data))

    def html(self, data: bytes) -> str:
        """Return the kept body (`body`'s text, given as UTF-8) as allow-listed HTML."""
        return bounded(render_markdown(decode_text(data)))

    def title(self, data: bytes) -> str | None:
        """Return the front matter's title, else the first heading of level 1 or 2."""
        text = decode_text(data)
        try:
            meta, body = split_front_matter(text)
        except Exception:  # a broken front matter still has a heading below it
            meta, body = {}, text
        title = meta.get("title") if isinstance(meta, dict) else None
        if isinstance(title, str) and title.strip():
            return clean_title(title)
        match = _HEADING.search(body[:20_000])
        return clean_title(match.group(1)) if match else None


FORMAT = Markdown()
