"""What changed between two versions of a document: its fields and a short text diff, as a
wiki's history shows it (BookStack, Outline)."""

from __future__ import annotations

import difflib

# The fields a reader changes, in the order the page names them.
CONTENT_FIELDS = (
    "title",
    "text",
    "tags",
    "subjects",
    "grades",
    "visibility",
    "language",
    "authors",
    "group",
    "step",
    "sections",
    "filename",
)
# At most this many changed lines are quoted, each cut to SNIPPET_CHARS.
SNIPPET_LINES = 4
SNIPPET_CHARS = 120


def _text(record: dict) -> str:
    return record.get("body") or record.get("text") or ""


def content(record: dict | None) -> dict:
    """Return the parts of a stored record a reader can change (nothing about upkeep)."""
    record = record or {}
    out = {f: record.get(f) for f in CONTENT_FIELDS if f != "text"}
    out["text"] = _text(record)
    return out


def what_changed(before: dict | None, after: dict) -> dict:
    """Return {fields, added, removed, lines} from one stored record to the next.

    `fields` names what differs (CONTENT_FIELDS order), `added`/`removed` count text lines,
    `lines` quotes a few of them as ("+" | "-", line). The first version changes nothing.
    """
    if before is None:
        return {"fields": [], "added": 0, "removed": 0, "lines": []}
    old, new = content(before), content(after)
    changed = [f for f in CONTENT_FIELDS if (old.get(f) or None) != (new.get(f) or None)]
    added, removed, lines = 0, 0, []
    if "text" in changed:
        diff = difflib.unified_diff(old["text"].splitlines(), new["text"].splitlines(), n=0)
        for line in diff:
            if line.startswith(("+++", "---", "@@")):
                continue
            sign, rest = line[:1], line[1:].strip()
            if not rest:
                continue  # an empty line is layout, not a change anyone reads
            added += sign == "+"
            removed += sign == "-"
            if len(lines) < SNIPPET_LINES:
                lines.append((sign, rest[:SNIPPET_CHARS]))
    return {"fields": changed, "added": added, "removed": removed, "lines": lines}


def same_content(a: dict | None, b: dict | None) -> bool:
    """Tell whether two stored records say the same (restoring one over the other is a no-op)."""
    return a is not None and b is not None and content(a) == content(b)
