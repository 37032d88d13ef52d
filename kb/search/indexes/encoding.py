"""Encode one batch of passages for the vector and sparse indexes, each only what it lacks.

An encoder here is `encode(texts, masks, tick) -> blocks`: masks[i] marks the texts index i
lacks, block i holds their rows in order (None when it lacks none), and tick(n) has been
told len(texts) passages in all by the time it returns (tick raises IndexingStopped when
the round is told to stop).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse as sp

from kb.search.indexes.vectorfile import text_key


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


class FromImported:
    """Encode by taking each index's rows from the imported vectors where they hold the text
    (kb.search.indexes.imported) and encoding only the rest with `encode`.

    `specs` is [(table, model, dim)] per index; `taken` counts the rows taken per index and
    `engines` names the engines that made them.
    """

    def __init__(self, encode: Callable, imported, specs: list[tuple[str, str, int]]) -> None:
        self.encode, self.imported, self.specs = encode, imported, specs
        self.taken = [0] * len(specs)
        self.engines: list[set[str]] = [set() for _ in specs]

    def __call__(self, texts, masks, tick):
        lookups = [self.imported.table(*spec) for spec in self.specs]
        if not any(lookups):
            return self.encode(texts, masks, tick)
        keys = [text_key(t) for t in texts]
        held, rest = [], []
        for n, (lookup, mask) in enumerate(zip(lookups, masks, strict=True)):
            where = np.flatnonzero(mask)
            if lookup is None or not len(where):
                held.append(None)
                rest.append(mask)
                continue
            found, rows = lookup.find([keys[i] for i in where])
            held.append((where[found], rows))
            rest.append(mask.copy())
            rest[-1][where[found]] = False
            if found.any():
                self.taken[n] += int(found.sum())
                self.engines[n].update(lookup.engines)
        fresh = self.encode(texts, rest, tick)
        return [_merge(*parts) for parts in zip(held, rest, fresh, strict=True)]


def _merge(held, rest: np.ndarray, fresh):
    """Return one index's rows in text order from those taken (held: their positions and
    rows) and those encoded (fresh: the rows of the texts rest marks)."""
    if held is None:
        return fresh
    at, rows = held
    if not rest.any():
        return rows if len(at) else None
    if not len(at):
        return fresh
    order = np.argsort(np.concatenate([at, np.flatnonzero(rest)]), kind="stable")
    stacked = (
        sp.vstack([rows, fresh], format="csr")
        if sp.issparse(rows) or sp.issparse(fresh)
        else np.vstack([rows, fresh])
    )
    return stacked[order]


def remembered(embedder, imported) -> Callable:
    """Return embedder.embed_passages taking the rows the imported vectors hold (the
    sentences an answer quotes are embedded that way)."""
    spec = [("dense", embedder.name, embedder.dim)]
    encode = FromImported(separate([embedder.embed_passages]), imported, spec)

    def embed(texts):
        [rows] = encode(list(texts), [np.ones(len(texts), dtype=bool)], None)
        return np.zeros((0, embedder.dim), dtype=np.float32) if rows is None else rows

    return embed
