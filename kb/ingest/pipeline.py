"""One way from a file's bytes, or text typed on a form, to a document record.

Uploads (the share form), bundles and synced files come as bytes: `read_file` sniffs them
once, in the server, and reads them in the sandbox (kb.ingest.sandbox), or, for a bundle's
files, already in a sandbox child (kb.ingest.readers), right there; reflections and edits
come as typed text (`typed`). Either way the result is a `Content`, and `record` or
`web_record` makes the DocumentRecord the store takes (kb.ingest.store).
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.ingest.extract import ExtractionError
from kb.ingest.formats import SHARE_FORMATS, format_for, sniff
from kb.ingest.records import DocumentRecord
from kb.ingest.sandbox import judge, read_safely
from kb.ingest.submit import EXTRACTION_REASONS, Refused, language_of
from kb.limits import MAX_FILE_BYTES
from kb.text.markup import markdown_to_text


@dataclass(frozen=True)
class Content:
    """What a document holds, whatever it came from: its format, its text, what is kept."""

    format: str
    text: str
    body: str | None = None  # Markdown as written (kept instead of the file)
    original: bytes | None = None  # the file itself, for every format but Markdown
    media_type: str | None = None
    title: str | None = None  # the title the file gives itself, if any

    def fields(self) -> dict:
        """Return the record fields the content fills."""
        return {
            "format": self.format,
            "text": self.text,
            "body": self.body,
            "original": self.original,
            "media_type": self.media_type,
        }


def read_file(name: str, data: bytes, here: bool = False) -> Content:
    """Return the content of a file's bytes in format `name`: sniffed once here, read in the
    sandbox (here: in this process, which must be a sandbox child). Raise ExtractionError
    (with its reason) when kb will not read it."""
    fmt = sniff(name, data)
    if here:
        from kb.ingest.reading import answer

        found = judge(answer(fmt.name, data))
    else:
        found = read_safely(fmt.name, data, sniffed=True)
    return Content(
        format=fmt.name,
        text=found["text"],
        body=fmt.body(data),
        original=data if fmt.keeps_original else None,
        media_type=fmt.media_type,
        title=found.get("title"),
    )


def read_upload(filename: str, data: bytes) -> Content:
    """Return the content of a file sent on the share form; raise Refused, whose code says
    on the page why (type, empty, too_large, mismatch, or the sandbox's reason)."""
    name = format_for(filename or "")
    if name is None or name not in SHARE_FORMATS:
        raise Refused("type", filename.rsplit(".", 1)[-1] if "." in (filename or "") else "")
    if not data:
        raise Refused("empty")
    if len(data) > MAX_FILE_BYTES:
        raise Refused("too_large")
    try:
        return read_file(name, data)
    except ExtractionError as exc:
        if exc.reason == "mismatch" and exc.actual:
            raise Refused("mismatch", f"{name}/{exc.actual}") from exc
        # The reason picks a message in the page's language; the English detail stays beside.
        code = exc.reason if exc.reason in EXTRACTION_REASONS else "unreadable"
        raise Refused(code, str(exc)) from exc


def typed(name: str, text: str) -> Content:
    """Return the content of text typed on a form: Markdown ("md") keeps what was typed as
    its body and is searched by its rendered text; plain text ("txt") is itself."""
    if name == "md":
        return Content("md", markdown_to_text(text), body=text)
    return Content(name, text)


def record(content: Content, **fields) -> DocumentRecord:
    """Return the record of a document with this content and these other fields."""
    return DocumentRecord(**content.fields(), **fields)


def web_record(content: Content, kind: str, title: str, language: str | None, **fields):
    """Return the record of a document made on the web; the store gives it its source."""
    language, guessed = language_of(language, content.text)
    return record(
        content,
        origin="web",
        source="",
        kind=kind,
        title=title,
        language=language,
        language_guessed=guessed,
        **fields,
    )
