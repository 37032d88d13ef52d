"""The one check of what a document may hold, whatever path it comes by.

The store runs it before every write (a web upload, an edit by form, API or command line, a
restore, a bundle), so the limits in kb.limits hold for every document in the database;
the forms say the same limits earlier, in their own words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kb.ingest.records import DocumentRecord
from kb.ingest.submit import Refused
from kb.limits import (
    MAX_ANSWER_CHARS,
    MAX_AUTHORS,
    MAX_GROUP_CHARS,
    MAX_LABEL_CHARS,
    MAX_LABELS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    MAX_TYPED_TEXT_CHARS,
)

# The fields an edit takes as text, and those it takes as a list of texts (or one text
# listing them with commas).
TEXT_FIELDS = (
    "title",
    "text",
    "visibility",
    "language",
    "group",
    "step",
    "did",
    "went_well",
    "went_less_well",
    "take_away",
)
LIST_FIELDS = ("subjects", "grades", "tags", "coauthors", "participants")


def check_record(record: DocumentRecord) -> None:
    """Raise Refused("too_long" or "too_many", the field and its limit) when a record is
    over a limit of kb.limits."""
    _length("title", record.title, MAX_TITLE_CHARS)
    _length("text", record.text, MAX_TEXT_CHARS)
    _length("group", record.group or "", MAX_GROUP_CHARS)
    for name in ("tags", "subjects", "grades"):
        values = getattr(record, name)
        if len(values) > MAX_LABELS:
            raise Refused("too_many", f"{name}: at most {MAX_LABELS}")
        for value in values:
            _length(name, value, MAX_LABEL_CHARS, " each")
    if len(record.authors) > MAX_AUTHORS:
        raise Refused("too_many", f"authors: at most {MAX_AUTHORS}")
    for name, answer in record.sections:
        _length(name, answer, MAX_ANSWER_CHARS)


def _length(name: str, value: str, limit: int, each: str = "") -> None:
    if len(value) > limit:
        raise Refused("too_long", f"{name}: at most {limit:,} characters{each}")


def check_types(changes: Mapping) -> None:
    """Raise Refused("not_text", the field) when a value sent for an edit has the wrong type:
    a number or a list where text belongs, or anything but texts in a list."""
    for name in TEXT_FIELDS:
        value = changes.get(name)
        if value is not None and not isinstance(value, str):
            raise Refused("not_text", f"{name} must be text")
    _length("text", changes.get("text") or "", MAX_TYPED_TEXT_CHARS)
    for name in LIST_FIELDS:
        value = changes.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise Refused("not_text", f"{name} must be a list of texts")
        if len(value) > MAX_LABELS:
            raise Refused("too_many", f"{name}: at most {MAX_LABELS}")
