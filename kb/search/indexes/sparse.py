"""The latent-term index: sparse vectors (kb.search.model.sparse) in a scipy CSR index."""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy import sparse as sp

from kb.files import replace_bytes
from kb.search.indexes.vectors import IndexCorrupt, IndexMismatch


class SparseIndex:
    """Sparse vectors under int64 ids (chunk ids); scored by dot product, exactly."""

    def __init__(self, model_name: str, dim: int) -> None:
        self.model_name = model_name
        self.dim = dim
        self._matrix = sp.csr_matrix((0, dim), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        # Rows added since the last read, stacked once when read: stacking on every add made
        # a 100,000-chunk ingest copy the whole matrix 1,500 times.
        self._pending: list[tuple[np.ndarray, sp.csr_matrix]] = []
        self._pending_ids: set[int] = set()
        # The matrix by column, built when first scored after a change: a query has ~256 of
        # 16,384 terms, so scoring reads only their columns, not every stored value.
        self._by_term: sp.csc_matrix | None = None
        self._lock = threading.RLock()
        self.engines: set[str] = set()  # who wrote the rows: recorded, not checked

    def __len__(self) -> int:
        return len(self._ids) + len(self._pending_ids)

    def _settle(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Stack the pending rows into the matrix; return (matrix, ids)."""
        with self._lock:
            if self._pending:
                blocks = [self._matrix, *(m for _, m in self._pending)]
                self._matrix = sp.vstack(blocks, format="csr")
                self._ids = np.concatenate([self._ids, *(i for i, _ in self._pending)])
                self._pending, self._pending_ids = [], set()
                self._by_term = None
            return self._matrix, self._ids

    def ids(self) -> np.ndarray:
        return self._settle()[1].copy()

    def rows(self) -> tuple[np.ndarray, sp.csr_matrix]:
        """Return (ids, matrix) of every stored row (shared arrays: read them only)."""
        matrix, ids = self._settle()
        return ids, matrix

    def copy(self) -> SparseIndex:
        """Return an independent copy (add and remove build new arrays, so sharing them is safe)."""
        other = SparseIndex(self.model_name, self.dim)
        other._matrix, other._ids = self._settle()
        other._by_term = self._by_term
        return other

    def add(self, ids: Iterable[int], vectors: sp.csr_matrix) -> None:
        """Append rows; ids already present are replaced."""
        id_arr = np.asarray(list(ids), dtype=np.int64)
        if vectors.shape != (len(id_arr), self.dim):
            raise ValueError(f"expected {len(id_arr)} rows of dim {self.dim}, got {vectors.shape}")
        with self._lock:
            self.remove(id_arr)
            self._pending.append((id_arr, sp.csr_matrix(vectors, dtype=np.float32)))
            self._pending_ids.update(int(i) for i in id_arr)

    def remove(self, ids: Iterable[int]) -> int:
        """Drop the rows of these ids; return how many were dropped."""
        id_arr = np.asarray(list(ids), dtype=np.int64)
        with self._lock:
            if not self._pending_ids.isdisjoint(int(i) for i in id_arr):
                self._settle()
            gone = np.isin(self._ids, id_arr)
            if not gone.any():
                return 0
            keep = ~gone
            self._matrix = self._matrix[keep]
            self._ids = self._ids[keep]
            self._by_term = None
        return int(gone.sum())

    def scores(self, query: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Return (ids, dot-product scores) of every row."""
        with self._lock:
            matrix, ids = self._settle()
            if self._by_term is None:
                self._by_term = matrix.tocsc()
            by_term = self._by_term
        if not len(ids):
            return ids, np.zeros(0, dtype=np.float32)
        query = sp.csr_matrix(query)
        query.sum_duplicates()
        terms = query.indices
        if not len(terms):
            return ids, np.zeros(len(ids), dtype=np.float32)
        return ids, np.asarray(by_term[:, terms] @ query.data).ravel().astype(np.float32)

    def save(self, directory: str | os.PathLike) -> None:
        """Write sparse.npz and sparse.json; each replaced atomically, checked by a hash."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with self._lock:
            self._settle()
            np.savez(
                buffer,
                data=self._matrix.data,
                indices=self._matrix.indices,
                indptr=self._matrix.indptr,
                ids=self._ids,
            )
            count = len(self._ids)
        payload = buffer.getvalue()
        meta = {
            "model": self.model_name,
            "dim": self.dim,
            "count": count,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "engines": sorted(self.engines),
        }
        replace_bytes(folder / "sparse.npz", payload)
        replace_bytes(folder / "sparse.json", json.dumps(meta).encode())

    @classmethod
    def load(cls, directory: str | os.PathLike, model_name: str, dim: int) -> SparseIndex:
        """Read an index; IndexMismatch for another model, IndexCorrupt for a broken pair."""
        folder = Path(directory)
        try:
            meta = json.loads((folder / "sparse.json").read_text())
            payload = (folder / "sparse.npz").read_bytes()
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"sparse index unreadable: {exc}") from exc
        if meta.get("model") != model_name or meta.get("dim") != dim:
            raise IndexMismatch(f"sparse index built with {meta.get('model')}, not {model_name}")
        if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
            raise IndexCorrupt("sparse index does not match its checksum")
        arrays = np.load(io.BytesIO(payload))
        index = cls(model_name, dim)
        index.engines = {str(e) for e in meta.get("engines") or []}
        index._ids = arrays["ids"].astype(np.int64)
        index._matrix = sp.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(len(index._ids), dim)
        )
        return index
