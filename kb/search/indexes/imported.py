"""Vectors embedded elsewhere, taken instead of embedding the same texts again.

`kb vectors export FILE` writes an instance's vectors under the SHA-256 of the exact text
each was embedded from (kb.search.indexes.vectorfile); `kb vectors import FILE` checks the
file and installs it whole in the index folder (`imported/`), or not at all. The indexer
looks every text it is about to embed up there first. It is a cache the indexer reads, never
a way to write documents: the database stays the truth and the indexes stay derived from
it (texts not in the cache are embedded as usual; a cache of another model is not read).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
from scipy import sparse as sp

from kb.errors import Invalid
from kb.search.indexes import vectorfile
from kb.search.indexes.vectorfile import ROW_ARRAYS

FOLDER = "imported"
META = "meta.json"


class Lookup:
    """One installed table: its rows by the key of their text."""

    def __init__(self, keys: np.ndarray, rows, engines: list[str]) -> None:
        flat = np.ascontiguousarray(keys).view(f"V{vectorfile.KEY_BYTES}").ravel()
        self._row_of = {key: n for n, key in enumerate(flat.tolist())}
        self.rows, self.engines = rows, engines

    def find(self, keys: list[bytes]):
        """Return (which of these keys are held, their rows in that order)."""
        at = [self._row_of.get(key, -1) for key in keys]
        found = np.array([n >= 0 for n in at], dtype=bool)
        return found, self.rows[np.array([n for n in at if n >= 0], dtype=np.int64)]


class Imported:
    """The tables installed in one index folder, read again once another import replaced them."""

    def __init__(self, index_path: Path) -> None:
        self.folder = Path(index_path) / FOLDER
        self._lock = threading.Lock()
        self._seen: tuple | None = None
        self._meta: dict = {}
        self._tables: dict[str, Lookup] = {}

    def table(self, name: str, model: str, dim: int) -> Lookup | None:
        """Return the installed table of that model and dimension, None when there is none."""
        try:
            stat = (self.folder / META).stat()
        except OSError:
            return None
        with self._lock:
            if self._seen != (stat.st_ino, stat.st_mtime_ns):
                self._meta = json.loads((self.folder / META).read_text(encoding="utf-8"))
                self._seen, self._tables = (stat.st_ino, stat.st_mtime_ns), {}
            spec = self._meta.get("tables", {}).get(name)
            if spec is None or (spec["model"], spec["dim"]) != (model, dim):
                return None
            if name not in self._tables:
                self._tables[name] = self._load(name, spec)
            return self._tables[name]

    def _load(self, name: str, spec: dict) -> Lookup:
        def array(part: str) -> np.ndarray:
            # Mapped, not read: the rows of a municipality stay on disk until asked for.
            return np.load(self.folder / f"{part}.npy", mmap_mode="r", allow_pickle=False)

        if name == "dense":
            rows = array("dense")
        else:
            data, indices, indptr = (array(a) for a in ROW_ARRAYS[name])
            rows = sp.csr_matrix((data, indices, indptr), shape=(spec["count"], spec["dim"]))
        return Lookup(np.asarray(array(f"{name}_keys")), rows, spec.get("engines") or [])


_OPENED: dict[Path, Imported] = {}
_OPENED_LOCK = threading.Lock()


def imported_at(index_path: Path) -> Imported:
    """Return this process's one reader of the vectors installed in an index folder."""
    key = Path(index_path).resolve()
    with _OPENED_LOCK:
        return _OPENED.setdefault(key, Imported(key))


def install(file: Path, index_path: Path, models: dict[str, tuple[str, int]]) -> dict[str, int]:
    """Check a vector file and install it in place of any earlier one; return its counts.

    `models` is {table: (model, dim)} of what this instance embeds with; a file of another
    model is refused, and a table this instance has no use for is left out. Nothing is
    installed unless the whole file is read and checked.
    """
    tables = vectorfile.read(Path(file))
    for name, table in tables.items():
        wanted = models.get(name)
        if wanted is not None and wanted != (table.model, table.dim):
            raise Invalid(
                f"{file} holds {name} vectors of {table.model!r} (dim {table.dim}), but this "
                f"instance embeds with {wanted[0]!r} (dim {wanted[1]}): embed with the same "
                "model (kb.toml's embedder) or export again; nothing was imported"
            )
    tables = {name: t for name, t in tables.items() if name in models}
    if "dense" not in tables:
        raise Invalid(f"{file} holds no vectors this instance can use; nothing was imported")
    meta, arrays = vectorfile.describe(tables)
    index_path.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(dir=index_path, prefix=f".{FOLDER}."))
    try:
        for name, array in arrays.items():
            with open(new / f"{name}.npy", "wb") as fh:
                np.save(fh, array, allow_pickle=False)
                os.fsync(fh.fileno())
        (new / META).write_text(json.dumps(meta), encoding="utf-8")
        os.chmod(new, 0o755)
        _swap_in(new, index_path / FOLDER)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return {name: len(t.keys) for name, t in tables.items()}


def _swap_in(new: Path, folder: Path) -> None:
    """Put a complete folder in place of the old one (a reader still holding the old one's
    mapped files keeps reading them)."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{FOLDER}.old."))
        os.rmdir(old)
        folder.rename(old)
    new.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
