"""Page furniture: the running headers, footers and page numbers a PDF repeats on each page."""

from __future__ import annotations

import re
from collections import Counter

# "Sida 3", "Sida 3 av 7", "Page 3 of 7", "s. 3", "3 (7)", "3/7", "- 3 -", "3".
PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|sid\.?|s\.|page|p\.)\s*\d+(?:\s*(?:av|of|/)\s*\d+)?"
    r"|\d+\s*(?:\(\s*\d+\s*\)|/\s*\d+|(?:av|of)\s*\d+)?|[-–—]\s*\d+\s*[-–—])\s*$",
    re.IGNORECASE,
)
SOFT_HYPHENS = ("\xad", "\x02")  # how a PDF's text layer marks a word broken at a line end
EDGE_LINES = 2  # lines at the top and at the bottom of a page where furniture sits


def _shape(line: str) -> str:
    """Return a line with its digits made alike, so "Rapport 2024, sida 3" matches "… sida 4"."""
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _edges(lines: list[str]) -> set[int]:
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def drop_page_furniture(pages: list[str]) -> list[str]:
    """Remove page numbers and the lines repeated at the top or bottom of most pages.

    A line at a page's edge (its first or last two lines with text) goes when it is a page
    number, or when the same line, digits aside, sits at the edge of at least half of the
    pages and of two at least. Lines inside a page always stay.
    """
    split = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in pages]
    shapes = Counter()
    for lines in split:
        shapes.update({_shape(lines[i]) for i in _edges(lines)})
    repeated = {s for s, n in shapes.items() if n >= max(2, (len(pages) + 1) // 2)}
    out = []
    for lines in split:
        edges = _edges(lines)
        kept = [
            ln
            for i, ln in enumerate(lines)
            if i not in edges or not (PAGE_NUMBER.match(ln) or _shape(ln) in repeated)
        ]
        out.append("\n".join(kept))
    return out


def reflow(text: str) -> str:
    """Join the lines a PDF wrapped inside a paragraph; keep every other line break.

    A line is taken as wrapped when it fills at least 3/4 of the page's longest line and
    ends in neither ":" nor a bullet: headings, list items and the rows of a table (short
    lines) keep their own lines, and a blank line still ends a paragraph. A short line
    without a full stop after a finished sentence is a heading and keeps its line too.
    """
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    longest = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    previous = ""  # the line before, as the PDF had it
    for line in lines:
        wrapped = (
            out
            and previous
            and line
            and len(previous) >= 0.75 * longest
            and not previous.endswith(":")
            and not line.startswith(("•", "-", "–", "*"))
            and not _heading_after(previous, line, longest)
        )
        if wrapped and previous.endswith(SOFT_HYPHENS):
            out[-1] = out[-1].rstrip("".join(SOFT_HYPHENS)) + line
        elif wrapped:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        previous = line
    return "\n".join(out)


def _heading_after(previous: str, line: str, longest: int) -> bool:
    return (
        previous.endswith((".", "!", "?"))
        and len(line) < 0.75 * longest
        and not line.endswith((".", "!", "?", ",", ";", ":"))
    )
