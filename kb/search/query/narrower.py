"""Narrower words: a question about a school field also reaches texts naming only its kinds.

kb/search/query/data/sv-school-narrower.tsv, written for kb, lists Swedish school words with
the narrower words of the same field ("läsning": boksamtal, högläsning, läsförståelse, …). A
text about a book talk answers a question about reading although it never says "läsning".
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from kb.search.indexes.analysis import stem
from kb.search.query.spelling import STOP
from kb.search.query.wordlist import read_word_list

PATH = Path(__file__).parent / "data" / "sv-school-narrower.tsv"
WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def table(path: Path = PATH) -> dict[str, tuple[str, ...]]:
    """Return {stem of a broader word: its narrower words}; empty when the list is missing."""
    return {stem(head): words for head, words in read_word_list(path).items()}


def content_words(text: str) -> list[str]:
    """Return the question's words that are no stop words, in order, once each."""
    return list(dict.fromkeys(w for w in WORD.findall(text.lower()) if w not in STOP))


def groups(text: str) -> tuple[tuple[str, ...], ...]:
    """Return one group per content word, its narrower words after it; () when none has any.

    For the keyword coverage a group is one word: held when the text holds any word of it.
    """
    words = content_words(text)
    found = [(w, *table().get(stem(w), ())) for w in words]
    return tuple(found) if any(len(g) > 1 for g in found) else ()
