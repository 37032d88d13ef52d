"""From chunk scores to document scores: the best chunk speaks for its document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from kb.search.query import fusion


@dataclass
class LegResult:
    scores: dict[int, float]
    best_chunk: dict[int, int] = field(default_factory=dict)


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the indices of the k highest scores, best first, ties by index.

    The same as np.argsort(-scores, kind="stable")[:k] without sorting all n scores.
    """
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    neg = -scores
    kth = np.partition(neg, k - 1)[k - 1]
    better = np.flatnonzero(neg < kth)
    tied = np.flatnonzero(neg == kth)[: k - len(better)]
    chosen = np.concatenate([better, tied])
    return chosen[np.lexsort((chosen, neg[chosen]))]


def within(ids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Return the mask of `ids` that are in `allowed` (both non-negative integer ids).

    The same as np.isin(ids, allowed), by a lookup table over the ids instead of a sort:
    O(len(ids) + len(allowed) + max id) where np.isin sorts both (3–5 ms at 100,000 ids).
    """
    if not len(ids) or not len(allowed):
        return np.zeros(len(ids), dtype=bool)
    top = int(max(ids.max(), allowed.max())) + 1
    if top > 8 * (len(ids) + len(allowed)):  # sparse ids: a table would be mostly empty
        return np.isin(ids, allowed)
    table = np.zeros(top, dtype=bool)
    table[allowed] = True
    return table[ids]


def to_documents(
    chunk_hits: list[tuple[int, float]], chunk_doc: Mapping[int, int], n: int
) -> LegResult:
    """Aggregate chunk scores to documents by their best chunk; keep the n best documents."""
    scores: dict[int, float] = {}
    best: dict[int, int] = {}
    for chunk_id, score in chunk_hits:
        doc_id = chunk_doc.get(chunk_id)
        if doc_id is not None and score > scores.get(doc_id, float("-inf")):
            scores[doc_id] = score
            best[doc_id] = chunk_id
    top = dict(fusion.ranked(scores)[:n])
    return LegResult(top, {d: best[d] for d in top})
