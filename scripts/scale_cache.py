"""Real e5 passage embeddings cached on disk by text hash, and vectors derived from them.

    python scripts/scale_cache.py BUNDLE [BUNDLE ...]   # embed what the cache lacks (slow)

The cache (default /work/bench-cache, or $KB_BENCH_CACHE) holds, per model and precision,
shards of (sha256 of the passage text, sha256 of its chunk text, dense vector, latent terms).
`CachedEmbedder` answers passages from it, embeds what is missing with the product's engine
and adds it; in `derive` mode a passage not in the cache takes the vector of the cached
passage with the same chunk text (the copies gen_bundle.py makes from --base on), plus a
little seeded noise, and its latent terms, and never runs the model.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(os.environ.get("KB_BENCH_CACHE", "/work/bench-cache"))
SHARD = 256


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def chunk_key(passage: str) -> bytes:
    """Key a passage by its chunk text (what follows the title line)."""
    return digest(passage.split("\n", 1)[-1])


class Cache:
    """Append-only shards of passage vectors under one model and precision."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.rows: dict[bytes, int] = {}
        self.by_chunk: dict[bytes, int] = {}
        self.dense: list[np.ndarray] = []
        self.terms: list[sp.csr_matrix] = []
        self.pending: list[tuple[bytes, bytes, np.ndarray, sp.csr_matrix]] = []
        for path in sorted(folder.glob("shard-*.npz")):
            with np.load(path) as z:
                m = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                self._extend(list(z["keys"]), list(z["chunks"]), z["dense"], m)

    def _extend(self, keys, chunks, dense, terms) -> None:
        base = sum(len(d) for d in self.dense)
        for i, (k, c) in enumerate(zip(keys, chunks, strict=True)):
            self.rows[bytes(k)] = base + i
            self.by_chunk.setdefault(bytes(c), base + i)
        self.dense.append(np.asarray(dense, dtype=np.float32))
        self.terms.append(sp.csr_matrix(terms, dtype=np.float32))
        self._flat = None

    def __len__(self) -> int:
        return len(self.rows)

    def matrices(self) -> tuple[np.ndarray, sp.csr_matrix]:
        if getattr(self, "_flat", None) is None:
            self._flat = (np.concatenate(self.dense), sp.vstack(self.terms, format="csr"))
        return self._flat

    def add(self, passages: list[str], dense: np.ndarray, terms: sp.csr_matrix) -> None:
        keys = [digest(p) for p in passages]
        chunks = [chunk_key(p) for p in passages]
        self._extend(keys, chunks, dense, terms)
        rows = [terms[i] for i in range(len(keys))]
        self.pending += list(zip(keys, chunks, dense, rows, strict=True))
        if len(self.pending) >= SHARD:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        keys, chunks, dense, terms = zip(*self.pending, strict=True)
        m = sp.vstack(terms, format="csr")
        name = self.folder / f"shard-{time.time_ns()}.npz"
        tmp = name.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            keys=np.array(keys, dtype="S32"),
            chunks=np.array(chunks, dtype="S32"),
            dense=np.stack(dense),
            data=m.data,
            indices=m.indices,
            indptr=m.indptr,
            shape=np.array(m.shape),
        )
        tmp.replace(name)
        self.pending = []


class CachedEmbedder:
    """The product's e5 embedder with passages answered from the cache where they are in it."""

    def __init__(self, inner, derive: bool = False) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.precision = inner.engine.precision
        self.cache = Cache(CACHE / f"e5-{self.precision}")
        self.derive = derive
        self.counts = {"cached": 0, "embedded": 0, "derived": 0, "fallback": 0}
        self.embed_seconds = 0.0

    @property
    def engine_label(self) -> str:
        return f"torch-{self.precision} (bench cache)"

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        return self.encode_joint(texts)[0]

    def encode_joint(self, texts, progress=None):
        texts = [str(t) for t in texts]
        rows = [self.cache.rows.get(digest(t)) for t in texts]
        missing = [t for t, r in zip(texts, rows, strict=True) if r is None]
        self.counts["cached"] += len(texts) - len(missing)
        if missing and not self.derive:
            started = time.perf_counter()
            dense, terms = self.inner.encode_joint(missing)
            self.embed_seconds += time.perf_counter() - started
            self.cache.add(missing, dense, terms)
            self.counts["embedded"] += len(missing)
            rows = [self.cache.rows[digest(t)] for t in texts]
        all_dense, all_terms = self.cache.matrices()
        dense = np.zeros((len(texts), self.dim), dtype=np.float32)
        picked = []
        for i, (text, row) in enumerate(zip(texts, rows, strict=True)):
            if row is not None:
                dense[i] = all_dense[row]
            else:
                row = self._derived_row(text)
                seed = int.from_bytes(digest(text)[:8], "little")
                noisy = all_dense[row] + 0.02 * np.random.default_rng(seed).standard_normal(
                    self.dim
                )
                dense[i] = noisy / np.linalg.norm(noisy)
            picked.append(row)
        if progress:
            progress(len(texts))
        return dense, all_terms[picked]

    def _derived_row(self, text: str) -> int:
        row = self.cache.by_chunk.get(chunk_key(text))
        if row is not None:
            self.counts["derived"] += 1
            return row
        self.counts["fallback"] += 1
        return int.from_bytes(digest(text)[:8], "little") % len(self.cache)


class CachedSparse:
    """Latent terms from the CachedEmbedder's pass; queries as the product encodes them."""

    def __init__(self, embedder: CachedEmbedder) -> None:
        from kb.search.model.e5engine import TorchE5SparseEncoder

        self.shares_pass_with = embedder
        self._inner = TorchE5SparseEncoder(embedder.inner)
        self.name, self.dim = self._inner.name, self._inner.dim
        self.engine_label = embedder.engine_label

    def encode_queries(self, texts):
        return self._inner.encode_queries(texts)

    def encode_passages(self, texts):
        return self.shares_pass_with.encode_joint(texts)[1]


def passages(bundle: Path) -> list[str]:
    """Return the passages ingest embeds for a bundle, in document order."""
    from kb.ingest.bundle import read_bundle
    from kb.ingest.store import document_chunks
    from kb.search.indexes.indexer import passage_text
    from kb.text.chunking import cap_passage

    contents = read_bundle(bundle)
    out = []
    for record in contents.documents:
        for chunk in document_chunks(record.text)[0]:
            out.append(cap_passage(passage_text(record.title, chunk))[0])
    return out


def warm(bundles: list[Path], batch: int = 64) -> None:
    """Embed every passage of the bundles the cache lacks, with progress and ETA."""
    from kb.search.model.e5engine import TorchE5Embedder

    emb = CachedEmbedder(TorchE5Embedder("auto"))
    for bundle in bundles:
        texts = passages(bundle)
        todo = [t for t in dict.fromkeys(texts) if digest(t) not in emb.cache.rows]
        print(f"{bundle}: {len(texts)} passages, {len(todo)} to embed", flush=True)
        started = time.perf_counter()
        for start in range(0, len(todo), batch):
            emb.encode_joint(todo[start : start + batch])
            done = start + len(todo[start : start + batch])
            rate = done / (time.perf_counter() - started)
            eta = (len(todo) - done) / rate if rate else 0
            print(f"  {done}/{len(todo)} {rate:.2f} passages/s ETA {eta / 60:.1f} min", flush=True)
            emb.cache.flush()
    emb.cache.flush()


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warm([Path(p) for p in sys.argv[1:]])
