"""Snippets: whole sentences of plain text, with only the question's content words marked."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable

from whoosh.lang import stopwords_for_language

# Words a question carries that say nothing of its topic: marking them marks every text.
UNMARKED = (
    frozenset(stopwords_for_language("sv"))
    | frozenset(stopwords_for_language("en"))
    | {"åk", "ak", "årskurs", "gy", "f", "klass"}
)
SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+(?=[A-ZÅÄÖ0-9\"“(])|\n\s*\n|\n(?=\s*[-*+•] |\s*\d+\. )")
# Each pattern stays within one line and is bounded: an unclosed "[" or "*", or a run of
# blank lines, must not make a scan quadratic (20,000 "[" took 1.3 s and 1,000 blank lines
# 2.9 s in the server, holding every other request).
MARKDOWN = (
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M), ""),  # headings
    (re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # quotes
    (re.compile(r"^[ \t]*(?:[-*+•]|\d+\.)[ \t]+", re.M), ""),  # list markers
    (re.compile(r"^[ \t]*+\|?(?:[ \t]*+:?-{3,}+:?[ \t]*+\|)++[ \t]*+$", re.M), ""),  # table rules
    (re.compile(r"!?\[([^\[\]\n]{0,500})\]\([^()\n]{0,1000}\)"), r"\1"),  # links, images
    (re.compile(r"(\*\*|__|\*|_|`{1,3}|~~)(?=\S)([^\n]{1,500}?)(?<=\S)\1"), r"\2"),  # emphasis
    (re.compile(r"\|"), " · "),  # table cells (the spaces around fold in sentences())
    (re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$", re.M), ""),  # rules
)
Tokens = Callable[[str], Iterable[tuple[str, int, int]]]


def plain_text(markdown: str) -> str:
    """Return Markdown as the plain text a reader sees (no #, *, _, `, >, links' targets)."""
    text = markdown
    for pattern, replacement in MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.replace("*", "").strip()


def sentences(text: str) -> list[str]:
    """Split plain text into sentences and list items, each on one line."""
    return [" ".join(s.split()) for s in SENTENCE_END.split(text) if s.strip()]


def marked_words(terms: Collection[str]) -> set[str]:
    """Keep the terms worth marking: no stop words, numbers alone or grade abbreviations."""
    return {t for t in terms if t not in UNMARKED and not t.isdigit() and len(t) > 1}


def cut(text: str, max_chars: int) -> str:
    """Cut a text at a word boundary, adding an ellipsis when something was left out."""
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + " …"


def opening(text: str, max_chars: int = 240) -> str:
    """Return the escaped opening of a text, from the start of a sentence, in plain text."""
    parts = sentences(plain_text(text))
    if not parts:
        return ""
    # A chunk may begin mid-sentence (chunks overlap): start at its first whole sentence.
    if len(parts) > 1 and parts[0][:1].islower():
        parts = parts[1:]
    return html.escape(cut(" ".join(parts), max_chars), quote=False)


def highlight(
    text: str, terms: Collection[str], tokens: Tokens, max_chars: int = 300
) -> str | None:
    """Return the best run of whole sentences with the matched words in <mark>, or None.

    The sentence holding the most distinct terms starts the snippet (the earliest on a tie);
    the sentences after it follow while they fit. tokens(s) yields (term, start, end).
    """
    wanted = marked_words(terms)
    if not wanted:
        return None
    parts = sentences(plain_text(text))
    found = [{t for t, _, _ in tokens(s) if t in wanted} for s in parts]
    if not any(found):
        return None
    best = max(range(len(parts)), key=lambda i: (len(found[i]), -i))
    chosen = parts[best]
    for following in parts[best + 1 :]:
        if len(chosen) + 1 + len(following) > max_chars:
            break
        chosen += " " + following
    chosen = cut(chosen, max_chars)
    return mark(chosen, wanted, tokens)


def mark(text: str, wanted: Collection[str], tokens: Tokens) -> str:
    """Escape a text and wrap the characters of every wanted term in <mark>."""
    spans = sorted({(start, end) for t, start, end in tokens(text) if t in wanted})
    out, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        out.append(html.escape(text[at:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        at = end
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)
