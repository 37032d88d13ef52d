"""Split long documents into overlapping word windows for embedding."""

from __future__ import annotations

import re

from kb.limits import MAX_PASSAGE_TOKENS, MAX_WORD_CHARS

# Boundary strengths between two words; a cut prefers the strongest boundary it can find.
_NONE, _LINE, _SENTENCE, _PARAGRAPH = 0, 1, 2, 3

_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n\s*")
# A sentence ends in . ! ? or … possibly followed by closing quotes or brackets.
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_OPENERS = "\"'“”‘’«([–—-"


def _starts_sentence(word: str) -> bool:
    """Tell whether word can open a sentence: a capital or digit, after any opening marks."""
    # Swedish abbreviations such as "t.ex." or "bl.a." are followed by lower case, so requiring
    # a capital keeps them from ending a sentence.
    if word[0] in "–—-":
        return True
    head = word.lstrip(_OPENERS)
    return bool(head) and (head[0].isupper() or head[0].isdigit())


def _words_and_boundaries(text: str) -> tuple[list[str], list[int]]:
    """Return the words and, for each word, the strength of the boundary before it."""
    words: list[str] = []
    before: list[int] = []
    for paragraph in _PARAGRAPH_RE.split(text.strip()):
        for line_no, line in enumerate(paragraph.splitlines()):
            for word_no, word in enumerate(_pieces(line.split())):
                if word_no == 0 and line_no == 0:
                    strength = _PARAGRAPH
                elif _SENTENCE_END_RE.search(words[-1]) and _starts_sentence(word):
                    strength = _SENTENCE
                elif word_no == 0:
                    strength = _LINE
                else:
                    strength = _NONE
                words.append(word)
                before.append(strength)
    return words, before


def _pieces(words: list[str]) -> list[str]:
    """Split words longer than MAX_WORD_CHARS: a run of 60,000 "[" must not be one word."""
    out: list[str] = []
    for word in words:
        if len(word) <= MAX_WORD_CHARS:
            out.append(word)
        else:
            out.extend(word[i : i + MAX_WORD_CHARS] for i in range(0, len(word), MAX_WORD_CHARS))
    return out


_TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def cap_passage(text: str, max_tokens: int = MAX_PASSAGE_TOKENS) -> tuple[str, bool]:
    """Cut a passage after max_tokens tokens; return it and whether it was cut.

    A token here is a run of word characters or one punctuation mark, an upper bound of what
    an embedding model's tokenizer makes of ordinary text (each "[" is one).
    """
    for n, match in enumerate(_TOKEN_RE.finditer(text), start=1):
        if n == max_tokens:
            end = match.end()
            return text[:end], bool(text[end:].strip())
    return text, False


def _join(words: list[str], before: list[int], start: int, end: int) -> str:
    """Return words[start:end] joined by spaces, with a blank line at paragraph boundaries."""
    parts = [words[start]]
    for i in range(start + 1, end):
        parts.append("\n\n" if before[i] == _PARAGRAPH else " ")
        parts.append(words[i])
    return "".join(parts)


def chunk_text(text: str, max_words: int = 180, overlap: int = 40) -> list[str]:
    """Split text into chunks of at most max_words words, each repeating ~overlap words.

    The rule: words are whitespace-separated tokens. Text of at most max_words words is one
    chunk; empty text gives no chunks. Otherwise each chunk ends at the strongest boundary
    (paragraph, then sentence, then line break, else mid-sentence at exactly max_words) that
    leaves it at least half of max_words and more than overlap words, the latest one of that
    strength. The next chunk starts
    overlap words before that end, moved forward to the first sentence start if one lies within
    the first half of that overlap. Whitespace inside a paragraph becomes a single space and
    paragraphs are separated by a blank line.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    if not 0 <= overlap < max_words:
        raise ValueError("overlap must be at least 0 and less than max_words")
    words, before = _words_and_boundaries(text)
    n = len(words)
    if n == 0:
        return []
    # The end boundary of the text counts as a paragraph boundary for the cut search.
    strength_at = [*before, _PARAGRAPH]
    # A cut never falls before this many words, so the next start (cut - overlap) moves forward.
    min_len = max(max_words // 2, overlap + 1)
    chunks: list[str] = []
    start = 0
    while True:
        limit = start + max_words
        if limit >= n:
            chunks.append(_join(words, before, start, n))
            return chunks
        cut, best = limit, _NONE
        for pos in range(limit, start + min_len - 1, -1):
            if strength_at[pos] > best:
                cut, best = pos, strength_at[pos]
                if best == _PARAGRAPH:
                    break
        chunks.append(_join(words, before, start, cut))
        next_start = cut - overlap
        for pos in range(next_start, cut - overlap // 2):
            if before[pos] >= _SENTENCE:
                next_start = pos
                break
        start = next_start
