"""The file `kb vectors export` writes and `kb vectors import` reads: vectors of one model, each
under the SHA-256 of the exact text it was embedded from.

One .npz (a zip of .npy arrays, each with its CRC-32) holding `meta`, the JSON
{"kind", "version", "tables": {table: {"model", "dim", "engines", "count"}}, "sha256":
{array: hex digest}}, and per table its `<table>_keys` (count × 32 bytes: the SHA-256 of
each text) and its rows: `dense` (count × dim float32: passages and answer sentences) or
`sparse_data`, `sparse_indices`, `sparse_indptr` (a CSR matrix of the latent terms).
Every array is checked against its digest when read: a damaged or cut-off file is refused.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse as sp

from kb.errors import Invalid
from kb.files import replacing

KIND = "kb-vectors"
VERSION = 1
KEY_BYTES = 32
# The arrays that hold each table's rows (its keys are `<table>_keys`).
ROW_ARRAYS = {"dense": ("dense",), "sparse": ("sparse_data", "sparse_indices", "sparse_indptr")}


def text_key(text: str) -> bytes:
    """Return the key of a text: the SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def keys_array(keys: list[bytes]) -> np.ndarray:
    """Return keys as a (n, 32) uint8 array."""
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, KEY_BYTES)


@dataclass
class Table:
    """Rows of one model under the keys of the texts they were embedded from."""

    model: str
    dim: int
    keys: np.ndarray  # (count, 32) uint8
    rows: object  # (count, dim) float32 array, or a CSR matrix of that shape
    engines: list[str] = field(default_factory=list)

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """Return the arrays this table is stored as, by their names in the file."""
        if name == "dense":
            return {"dense_keys": self.keys, "dense": np.asarray(self.rows, dtype=np.float32)}
        rows = sp.csr_matrix(self.rows, dtype=np.float32)
        return {
            f"{name}_keys": self.keys,
            f"{name}_data": rows.data,
            f"{name}_indices": rows.indices,
            f"{name}_indptr": rows.indptr,
        }


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()


def describe(tables: dict[str, Table]) -> tuple[dict, dict[str, np.ndarray]]:
    """Return the meta of these tables and their arrays by name."""
    arrays: dict[str, np.ndarray] = {}
    for name, table in tables.items():
        arrays.update(table.arrays(name))
    meta = {
        "kind": KIND,
        "version": VERSION,
        "tables": {
            name: {"model": t.model, "dim": t.dim, "engines": t.engines, "count": len(t.keys)}
            for name, t in tables.items()
        },
        "sha256": {name: digest(a) for name, a in arrays.items()},
    }
    return meta, arrays


def write(path: Path, tables: dict[str, Table]) -> None:
    """Write the tables to one file, replaced whole (a temporary file renamed into place)."""
    meta, arrays = describe(tables)
    encoded = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with replacing(path) as fh:
        np.savez(fh, meta=encoded, **arrays)


def damaged(path: Path, why: object) -> Invalid:
    return Invalid(f"{path} is not a whole vector file ({why}); nothing was imported")


def read(path: Path) -> dict[str, Table]:
    """Read and check a vector file; raise Invalid when it is damaged, cut off or not one."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("kind") != KIND:
                raise damaged(path, "not written by kb vectors export")
            if meta.get("version") != VERSION:
                raise damaged(path, f"version {meta.get('version')!r}, this kb reads {VERSION}")
            arrays = {}
            for name, expected in meta["sha256"].items():
                arrays[name] = npz[name]
                if digest(arrays[name]) != expected:
                    raise damaged(path, f"{name} does not match its checksum")
            return {name: _table(name, spec, arrays) for name, spec in meta["tables"].items()}
    except Invalid:
        raise
    except FileNotFoundError as exc:
        raise Invalid(f"{path}: no such file") from exc
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        raise damaged(path, exc) from exc


def _table(name: str, spec: dict, arrays: dict[str, np.ndarray]) -> Table:
    """Build one table from its arrays, checking that their shapes agree with the meta."""
    count, dim = int(spec["count"]), int(spec["dim"])
    keys = arrays[f"{name}_keys"]
    if keys.shape != (count, KEY_BYTES) or keys.dtype != np.uint8:
        raise ValueError(f"{name}: {keys.shape} keys for {count} rows")
    if name == "dense":
        rows = arrays["dense"]
        if rows.shape != (count, dim):
            raise ValueError(f"dense: rows of shape {rows.shape}, expected ({count}, {dim})")
    elif name in ROW_ARRAYS:
        data, indices, indptr = (arrays[a] for a in ROW_ARRAYS[name])
        rows = sp.csr_matrix((data, indices, indptr), shape=(count, dim))
        rows.check_format(full_check=True)
    else:
        raise ValueError(f"unknown table {name!r}")
    return Table(spec["model"], dim, keys, rows, [str(e) for e in spec.get("engines") or []])
