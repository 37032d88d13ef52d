"""kb's own word lists (data/*.tsv): a word, a tab, then its words separated by commas."""

from __future__ import annotations

from pathlib import Path


def read_word_list(path: Path) -> dict[str, tuple[str, ...]]:
    """Return {head word, lowercased: its words}; empty when the list is missing.

    Blank lines, lines starting with # and lines without a tab are skipped; a later line
    for the same head replaces an earlier one.
    """
    out: dict[str, tuple[str, ...]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        head, words = line.split("\t", 1)
        out[head.strip().lower()] = tuple(w.strip() for w in words.split(",") if w.strip())
    return out
