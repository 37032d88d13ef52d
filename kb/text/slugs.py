"""Slugs for paths, and comma-separated values as typed into forms."""

from __future__ import annotations

import re
import unicodedata

# Names Windows cannot create: an exported bundle must open everywhere.
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)


def slugify(text: str, fallback: str = "dokument", max_len: int = 60) -> str:
    """Turn a title into a lowercase ASCII slug safe in a path (never a reserved name)."""
    # Drop the accents (å -> a); anything else that is not a-z or 0-9 separates words.
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    slug = slug[:max_len].rstrip("-") or fallback
    # "con.pdf" cannot exist in an export opened on Windows.
    return f"{slug}-dokument" if WINDOWS_RESERVED.match(slug) else slug


def split_values(value) -> tuple[str, ...]:
    """Read a comma-separated string (or a list) as distinct, trimmed values."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\n]", value or "")
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))
