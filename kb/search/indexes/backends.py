"""Which keyword engine runs: the one kb.toml names; switching rebuilds it from the database."""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.search.indexes.keyword import WhooshIndex
from kb.search.indexes.keywords import BACKENDS, DEFAULT_BACKEND, KeywordIndex
from kb.search.indexes.tantivy_keyword import TantivyIndex

# The index folder names which engine wrote the keyword index last: switching rebuilds it.
BACKEND_FILE = "keyword-backend"


def keyword_folder(index_path: Path, backend: str) -> Path:
    """Return the folder of a backend's keyword index inside the instance's index folder."""
    return Path(index_path) / backend


def make_keyword_index(index_path: Path, backend: str = DEFAULT_BACKEND) -> KeywordIndex:
    """Return the keyword index of the named backend (whoosh or tantivy), not yet opened."""
    if backend == "whoosh":
        return WhooshIndex(keyword_folder(index_path, backend))
    if backend == "tantivy":
        return TantivyIndex(keyword_folder(index_path, backend))
    raise ValueError(f"unknown keyword backend {backend!r} (one of {', '.join(BACKENDS)})")


def written_by(index_path: Path) -> str | None:
    """Return the backend that wrote the keyword index last (None: none has yet).

    An instance from before the setting names none: Whoosh, then the only engine, wrote it.
    """
    try:
        last = (Path(index_path) / BACKEND_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        last = ""
    if last:
        return last
    return "whoosh" if keyword_folder(index_path, "whoosh").exists() else None


def switched_backend(index_path: Path, backend: str) -> str | None:
    """Return the backend that wrote the keyword index last when it is not `backend`."""
    last = written_by(index_path)
    return last if last != backend else None


def mark_backend(index_path: Path, backend: str) -> None:
    """Record which backend the keyword index is written by."""
    Path(index_path).mkdir(parents=True, exist_ok=True)
    (Path(index_path) / BACKEND_FILE).write_text(backend, encoding="utf-8")


def settle_backend(index_path: Path, keyword: KeywordIndex) -> str | None:
    """Start the keyword index afresh when another backend wrote the last one; return that one.

    The old engine's folder is removed (the database is the truth, the sync refills the new
    one).
    """
    last = switched_backend(index_path, keyword.backend)
    if last is not None:
        keyword.close()
        shutil.rmtree(keyword_folder(index_path, last), ignore_errors=True)
        keyword.open(create=True)
    mark_backend(index_path, keyword.backend)
    return last
