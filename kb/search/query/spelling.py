"""Spelling: words typed without å/ä/ö or with a typo or two, corrected from the viewer's words."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from whoosh.lang import stopwords_for_language

from kb.search.indexes.analysis import TOKEN_PATTERN, stem

WORD = re.compile(TOKEN_PATTERN)
FOLD = str.maketrans("åäöéèüáà", "aaoeeuaa")
STOP = frozenset(stopwords_for_language("sv")) | frozenset(stopwords_for_language("en"))
# Shorter words have too many neighbours one edit away to guess which one was meant: below
# ONE_EDIT_FROM letters only å/ä/ö left out are corrected (kall -> käll, not book -> bok).
MIN_LENGTH = 4
ONE_EDIT_FROM = 6
TWO_EDITS_FROM = 9


class Vocabulary(Protocol):
    """What spelling needs of the keyword index (either backend); a mask is the engine's own."""

    def allowed_mask(self, allowed: Collection[int] | None) -> Any: ...

    def word_frequency(self, word: str, mask: Any) -> int: ...

    def near_words(self, word: str, maxdist: int, mask: Any) -> dict[str, int]: ...


@dataclass(frozen=True)
class Correction:
    """A question with its unknown words replaced by the closest known ones."""

    text: str
    changes: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def fold(word: str) -> str:
    """Return a word without diacritics: läsning and lasning fold alike."""
    return word.translate(FOLD)


def edits(a: str, b: str) -> int:
    """Return the optimal-string-alignment distance (Damerau-Levenshtein) between two words."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def best_word(
    word: str,
    vocabulary: Vocabulary,
    mask: Any,
    fits: Callable[[str], bool] | None = None,
) -> str | None:
    """Return the known word the typist most likely meant, or None.

    A word equal but for å/ä/ö wins; then the fewest edits (one for words of six letters or
    more, two from nine); then the word in most documents. Only candidates that `fit` count.
    """
    maxdist = 2 if len(word) >= TWO_EDITS_FROM else 1
    near = vocabulary.near_words(word, maxdist, mask)
    if fits is not None:
        near = {c: n for c, n in near.items() if fits(c)}
    folded = fold(word)
    if len(word) < ONE_EDIT_FROM:
        near = {c: n for c, n in near.items() if fold(c) == folded}
    if not near:
        return None

    def cost(candidate: str) -> tuple:
        return (fold(candidate) != folded, edits(fold(candidate), folded), -near[candidate])

    return min(sorted(near), key=cost)


def forms_of(word: str, stem_of: Callable[[str], str]) -> Callable[[str], bool]:
    """Return a test of whether a candidate is a form of the word (has its stem)."""
    own = stem_of(word)
    return lambda candidate: stem_of(candidate) == own


def correct(
    text: str,
    vocabulary: Vocabulary,
    allowed: Collection[int] | None,
    is_word: Callable[[str], bool] | None = None,
    stem_of: Callable[[str], str] = stem,
) -> Correction:
    """Replace each word no allowed document holds by the closest word one does.

    A word of the language (`is_word`, e.g. the Swedish dictionary: analysis.known_word) is no
    misspelling: it only becomes another form of itself, one with its stem ("laborations" ->
    "laboration"), never a look-alike ("bemanning", held only by a text the viewer may not
    open, stays "bemanning", not "beginning"; "våga" does not become "väga").
    """
    mask = vocabulary.allowed_mask(allowed)
    changes: dict[str, str] = {}
    for match in WORD.finditer(text):
        word = match.group().lower()
        if word in changes or len(word) < MIN_LENGTH or word.isdigit() or word in STOP:
            continue
        if vocabulary.word_frequency(word, mask):
            continue
        dictionary_word = is_word is not None and is_word(word)
        better = best_word(
            word, vocabulary, mask, forms_of(word, stem_of) if dictionary_word else None
        )
        if better and better != word:
            changes[word] = better
    if not changes:
        return Correction(text)

    def swap(match: re.Match) -> str:
        return changes.get(match.group().lower(), match.group())

    return Correction(WORD.sub(swap, text), changes)
