"""Mark a quoted passage in a document page's HTML, so that an answer's link shows its words.

The passage is found in the page's text as read (tags left out, entities read, runs of
blanks as one), so a sentence that crosses a <strong> or a line break is still found; each
piece of text it covers is wrapped in <mark class="passage">, the first with id="passage",
which the link's #passage scrolls to (no script: the CSP allows none inline).
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
# Tags that part words as a blank does ("</li><li>"); inline ones (<em>, <a>) do not.
_BLOCK = re.compile(r"</?(p|li|ul|ol|h[1-6]|br|div|tr|td|th|blockquote|pre|table)\b", re.I)
ANCHOR = "passage"


def mark_passage(page: str, passage: str) -> tuple[str, bool]:
    """Return (the HTML with the passage's first occurrence marked, whether it was found)."""
    words = passage.split()
    if not words or not page:
        return page, False
    # The page's text pieces between tags, each with where it sits in the HTML.
    pieces, text, where = [], [], []
    pos = 0
    for m in _TAG.finditer(page + "<>"):
        raw = page[pos : m.start()]
        if raw:
            pieces.append((pos, m.start()))
            for i, ch in _read(raw, pos):
                text.append(ch)
                where.append(i)
        if _BLOCK.match(m.group()):
            text.append(" ")
            where.append(-1)
        pos = m.end()
    plain = "".join(text)
    found = re.search(r"\s+".join(re.escape(w) for w in words), plain)
    if not found:
        return page, False
    covered = [where[i] for i in range(found.start(), found.end()) if where[i] >= 0]
    first, last = covered[0], covered[-1]
    out, cursor, anchored = [], 0, False
    for start, end in pieces:
        a, b = max(start, first), min(end, _end_of(page, last))
        if a >= b:
            continue
        attrs = ' class="passage"' + ("" if anchored else f' id="{ANCHOR}"')
        anchored = True
        out += [page[cursor:a], f"<mark{attrs}>", page[a:b], "</mark>"]
        cursor = b
    out.append(page[cursor:])
    return "".join(out), True


def _read(raw: str, offset: int):
    """Yield (position in the HTML, character read) of a text piece, entities read."""
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            end = raw.find(";", i)
            if 0 < end - i <= 10:
                for ch in html.unescape(raw[i : end + 1]):
                    yield offset + i, ch
                i = end + 1
                continue
        yield offset + i, raw[i]
        i += 1


def _end_of(page: str, i: int) -> int:
    """Return where the character (or entity) at i ends in the HTML."""
    if page[i] == "&":
        end = page.find(";", i)
        if 0 < end - i <= 10:
            return end + 1
    return i + 1
