"""Compare short texts (questions, skill names, tags) by their analysed Swedish terms."""

from __future__ import annotations

from functools import lru_cache

from kb.search.indexes.analysis import swedish_analyzer

_ANALYZER = None


def _analyzer():
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = swedish_analyzer()
    return _ANALYZER


@lru_cache(maxsize=20_000)
def terms(text: str) -> frozenset[str]:
    """Return the stemmed, decompounded content terms of a short text."""
    return frozenset(t.text for t in _analyzer()(text or "") if len(t.text) > 1)


def coverage(question: str, name: str) -> float:
    """Share of the question's terms that the name contains: |Q ∩ N| / |Q| (0 when Q is empty)."""
    q = terms(question)
    return len(q & terms(name)) / len(q) if q else 0.0
