"""Plain text: read as it is, titled by a short first line."""

from __future__ import annotations

from kb.ingest.extract import decode_text
from kb.ingest.formats.base import Format, clean_title
from kb.text.markup import tidy


class Text(Format):
    """Plain text in UTF-8, UTF-16 with a BOM, or Windows-1252."""

    name = "txt"
    extensions = (".txt",)
    media_type = "text/plain; charset=utf-8"
    noun = "a text file"
    label = "text (.txt)"
    kind = "text"
    text = True

    def read(self, data: bytes) -> str:
        """Return the text with runs of blank lines collapsed."""
        return tidy(decode_text(data))

    def title(self, data: bytes) -> str | None:
        """Return the first non-empty line when it is short enough to be a title."""
        for line in decode_text(data[:20_000]).splitlines():
            if line.strip():
                return clean_title(line) if len(line.strip()) <= 120 else None
        return None


FORMAT = Text()
