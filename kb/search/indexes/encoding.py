"""Encode one batch of passages for the vector and sparse indexes, each only what it lacks.

An encoder here is `encode(texts, masks, tick) -> blocks`: masks[i] marks the texts index i
lacks, block i holds their rows in order (None when it lacks none), and tick(n) has been
told len(texts) passages in all by the time it returns (tick raises IndexingStopped when
the round is told to stop).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _picked(texts: Sequence[str], mask: np.ndarray) -> list[str]:
    return [texts[i] for i in np.flatnonzero(mask)]


def joint(embedder) -> Callable:
    """Encode both indexes' rows in one forward pass (the torch engine's shared pass)."""

    def run(texts, masks, tick):
        union = np.logical_or.reduce(masks)
        dense, terms = embedder.encode_joint(_picked(texts, union), progress=tick)
        if tick:
            tick(len(texts) - int(union.sum()))
        return [
            rows[mask[union]] if mask.any() else None
            for rows, mask in zip((dense, terms), masks, strict=False)
        ]

    return run


def separate(encoders: Sequence[Callable]) -> Callable:
    """Encode each index's rows with its own model, batch by batch, so that both indexes
    fill in together (not the whole of one before the other starts)."""

    def run(texts, masks, tick):
        blocks = [
            encode(_picked(texts, mask)) if mask.any() else None
            for encode, mask in zip(encoders, masks, strict=True)
        ]
        if tick:
            tick(len(texts))
        return blocks

    return run
