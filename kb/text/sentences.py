"""The sentences an answer may quote: a reflection's lessons, a material's opening, as written.

A reflection's text has its headings on lines of their own (kb.text.markup.markdown_to_text);
the sentences of "Vad tar vi med oss?", "Vad gick bra?" and "Vad gick mindre bra?" are the
groups' conclusions. A material says what it is about and how it is done in its first
paragraphs and lists. Each sentence keeps its exact text and where it starts in the document's
text, so that an answer quotes it as written and its link finds those words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The reflection sections an answer quotes, with how much each weighs for "vad har vi lärt oss".
LESSON_SECTIONS = {"Vad tar vi med oss?": 1.0, "Vad gick bra?": 0.85, "Vad gick mindre bra?": 0.85}
# Every heading of the reflection template: a section ends at the next one.
REFLECTION_HEADINGS = ("Vad gjorde vi?", *LESSON_SECTIONS)
# The blocks (paragraphs, list items) of a material's opening whose sentences are kept.
MATERIAL_BLOCKS = 4
MATERIAL_SECTION = "material"
# A sentence shorter than this says too little alone ("Bra."); longer ones are cut by the embedder.
MIN_WORDS, MAX_CHARS = 4, 400
# A table's row read as text (cells apart by blanks, bars or tabs), not a sentence.
_TABLE = re.compile(r"\S {3,}\S|\||\t")
_BULLET = re.compile(r"^\s*(?:[*\-•]|\d+[.)])\s+")
_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“«(]?[A-ZÅÄÖÉ0-9])")


@dataclass(frozen=True)
class Sentence:
    """One quotable sentence: its section, exact text and offset in the document's text."""

    section: str
    text: str
    start: int


def split_sentences(block: str, offset: int) -> list[tuple[str, int]]:
    """Split one paragraph or list item into (sentence, offset) at a stop before a capital."""
    out, pos = [], 0
    for m in _END.finditer(block):
        out.append((block[pos : m.start()].strip(), offset + pos))
        pos = m.end()
    out.append((block[pos:].strip(), offset + pos))
    # Where strip() took leading blanks, move the offset along with it.
    return [(s, o + (len(block[o - offset :]) - len(block[o - offset :].lstrip()))) for s, o in out]


def blocks(text: str):
    """Yield (line, offset) of each non-empty line, a list item's bullet taken off."""
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            bullet = _BULLET.match(line)
            start = bullet.end() if bullet else len(line) - len(line.lstrip())
            yield line[start:].rstrip(), pos + start
        pos += len(line) + 1


def is_heading(line: str) -> bool:
    """Tell a material's heading ("Så gör vi") from a sentence: short, without a full stop."""
    return len(line.split()) <= 8 and not line.rstrip().endswith((".", "!", "…", ":", ";"))


def quotable(text: str, kind: str) -> list[Sentence]:
    """Return the sentences of a document an answer may quote (see the module docstring)."""
    out: list[Sentence] = []
    section = None if kind == "reflection" else MATERIAL_SECTION
    taken = 0
    for line, offset in blocks(text):
        if kind == "reflection":
            if line in REFLECTION_HEADINGS:
                section = line
                continue
            if section not in LESSON_SECTIONS:
                continue
        else:
            if taken >= MATERIAL_BLOCKS:
                break
            if is_heading(line) or _TABLE.search(line):
                continue
            taken += 1
        for sentence, start in split_sentences(line, offset):
            # A material's line without a full stop is a title or a caption the page may show
            # elsewhere (a DOCX's title becomes the page's heading), not a sentence to quote.
            if kind != "reflection" and not sentence.endswith((".", "!", "?", "…")):
                continue
            if len(sentence.split()) >= MIN_WORDS and len(sentence) <= MAX_CHARS:
                out.append(Sentence(section, sentence, start))
    return out
