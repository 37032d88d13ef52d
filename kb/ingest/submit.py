"""Checking what a colleague submits on a form before the store takes it."""

from __future__ import annotations

from kb.ingest.records import VISIBILITIES
from kb.text.language import guess_language

# Why the sandbox could not read a file: each is also a refusal code the pages translate.
EXTRACTION_REASONS = (
    "mismatch",
    "damaged",
    "too_large",
    "bomb",
    "timeout",
    "memory",
    "encrypted",
    "busy",
    "unavailable",
)


class Refused(ValueError):
    """Something a colleague sent that kb will not store; `code` says why, `detail` adds facts.

    The codes, and their texts in the page's language, are listed in kb.web.i18n.REFUSALS.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def language_of(value: str | None, text: str) -> tuple[str, bool]:
    """Return the language given on a form, else the one guessed; and whether it was guessed."""
    value = (value or "").strip().lower()
    if value:
        return value[:20], False
    return guess_language(text), True


def visibility(value: str | None) -> str:
    """Return a visibility chosen on a form (all when none); raise Refused when unknown."""
    value = (value or "all").strip().lower()
    if value not in VISIBILITIES:
        raise Refused("visibility", value)
    return value
