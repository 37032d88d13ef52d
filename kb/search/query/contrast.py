"""Find where two learning groups saw the same thing differently, so an answer sets them side
by side instead of reading as one voice (issue 27).

A reflection's template asks "Vad gick bra?" and "Vad gick mindre bra?"; when one group's
lesson under the first and another group's under the second both speak of what the question
is about, the groups disagree on it, and the reader should see both. Among the answer's chosen
sentences x₁…xₙ, with g(x) the learning group of x's reflection (none for a material),
σ(x) = +1 under "Vad gick bra?", −1 under "Vad gick mindre bra?", 0 elsewhere, and kw(x) the
share of the question's content words x holds (kb.search.query.answer.keyword_share), a pair

    (xᵢ, xⱼ) is a contrast  ⇔  g(xᵢ) ≠ g(xⱼ), both not none,  σ(xᵢ) · σ(xⱼ) = −1,
                                kw(xᵢ) > 0 and kw(xⱼ) > 0

each sentence in at most one pair, pairs taken in answer order. The section, not the wording,
says which way a group leaned: negations in free text ("inte bara …") are too easily misread,
and the rule adds no sentence to the answer, it only shows two of its sentences together.
"""

from __future__ import annotations

from collections.abc import Sequence

WENT_WELL, WENT_LESS_WELL = "Vad gick bra?", "Vad gick mindre bra?"


def leaning(section: str) -> int:
    """Return σ: +1 for what went well, −1 for what went less well, 0 for any other section."""
    return {WENT_WELL: 1, WENT_LESS_WELL: -1}.get(section, 0)


def contrasts(
    sections: Sequence[str], groups: Sequence[str | None], on_topic: Sequence[bool]
) -> list[tuple[int, int]]:
    """Return the pairs (i, j), i < j, of chosen sentences whose groups leaned opposite ways
    on the question's topic (the module docstring's rule)."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i in range(len(sections)):
        for j in range(i + 1, len(sections)):
            if i in used or j in used or not (on_topic[i] and on_topic[j]):
                continue
            if groups[i] is None or groups[j] is None or groups[i] == groups[j]:
                continue
            if leaning(sections[i]) * leaning(sections[j]) == -1:
                pairs.append((i, j))
                used.update((i, j))
    return pairs
