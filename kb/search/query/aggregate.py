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
