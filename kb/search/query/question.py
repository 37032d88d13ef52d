"""What a question is before any leg runs: its words corrected, its language, its Swedish."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from kb.search.indexes.analysis import known_word
from kb.search.indexes.keywords import KeywordIndex
from kb.search.query import spelling, translate
from kb.text.language import detect_query_language

# Questions whose vectors are kept (the null questions and what colleagues asked lately).
QUERY_CACHE_SIZE = 1024


@dataclass(frozen=True)
class Question:
    text: str
    # An English question's Swedish words (kb.search.query.translate); None for a Swedish one.
    swedish: str | None = None
    # "Menade du …?": the question with unknown words replaced by the viewer's own words.
    suggestion: str | None = None
    # sv or en when the question clearly is in that language and keywords must stay in it.
    language: str | None = None
    # The Swedish alternatives of each English word: one word for the keyword coverage.
    groups: tuple[tuple[str, ...], ...] = ()
    # Those of the groups the viewer's material uses at least one word of.
    known_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def covered_groups(self) -> tuple[tuple[str, ...], ...]:
        """Return the groups the keyword coverage weighs.

        An English word none of whose Swedish words the material uses is a gap of the word
        lists rather than a word the answer lacks, so it is left out, as long as at least
        half of the question's words were understood; otherwise every word counts.
        """
        if 2 * len(self.known_groups) >= len(self.groups):
            return self.known_groups
        return self.groups

    @property
    def texts(self) -> tuple[str, ...]:
        """Return the question's own words and, for an English one, its Swedish words."""
        return (self.text, self.swedish) if self.swedish else (self.text,)

    @property
    def words(self) -> str:
        """Return every word the keyword leg and the snippets look for.

        An English question's function words ("how", "do", "we") would only find English
        texts that share them: its content words and its Swedish words remain.
        """
        if not self.swedish:
            return self.text
        return f"{translate.content(self.text)} {self.swedish}"


def understand(
    text: str,
    keyword: KeywordIndex,
    mine: Collection[int],
    spelling_on: bool = True,
    translate_on: bool = True,
    keep_words: bool = False,
) -> Question | None:
    """Return the question as the legs ask it; None when none of its words is known.

    An English question's words are no misspellings of Swedish ones: it gains Swedish words
    instead, for every leg, and its keywords then reach the material in either language.
    Only words in the viewer's own documents (`mine`) count, so a hidden document's words
    answer like no word at all; a dictionary word is never corrected (`keep_words`).
    """
    english = translate_on and translate.is_english(text)
    mask = keyword.allowed_mask(mine)

    def known(word: str) -> bool:
        return keyword.word_frequency(word, mask) > 0

    groups = tuple(translate.swedish_groups(text, known)) if english else ()
    known_groups = tuple(g for g in groups if any(known(w) for w in g))
    swedish = " ".join(dict.fromkeys(w for group in groups for w in group))
    correction = (
        spelling.correct(text, keyword, mine, known_word if keep_words else None)
        if spelling_on and not english
        else spelling.Correction(text)
    )
    question = Question(
        correction.text,
        swedish or None,
        correction.text if correction.changed else None,
        None if swedish else detect_query_language(correction.text),
        groups,
        known_groups,
    )
    if question.language is None and not keyword.knows_any(question.words, mine):
        # Not one known word and no sentence to understand ("zyxw", "Minecraft"): the
        # semantic legs would only return their nearest guesses, so say there is nothing.
        return Question(question.text, suggestion=question.suggestion, language="none")
    return question


def encode(leg: str, text: str, swedish: str | None, embedder, sparse_encoder, cache: dict):
    """Return a question's vector (dense) or latent terms (sparse), blended with its Swedish.

    q = normalise(e(text) + e(swedish)) for the dense leg and s = (s(text) + s(swedish)) / 2
    for the latent terms: the question keeps its own meaning and gains the words the Swedish
    material uses. Each text is encoded once per process (`cache`).
    """
    own = _encoded(leg, text, embedder, sparse_encoder, cache)
    if not swedish:
        return own
    other = _encoded(leg, swedish, embedder, sparse_encoder, cache)
    if leg == "dense":
        both = own + other
        return both / max(float(np.linalg.norm(both)), 1e-12)
    return (own + other) * 0.5


def _encoded(leg: str, text: str, embedder, sparse_encoder, cache: dict):
    """Return one text's dense vector or latent terms, from the cache when asked before."""
    key = (leg, text)
    if key not in cache:
        if len(cache) >= QUERY_CACHE_SIZE:
            cache.clear()
        if leg == "dense":
            cache[key] = embedder.embed_queries([text])[0]
        else:
            cache[key] = sparse_encoder.encode_queries([text])
    return cache[key]
