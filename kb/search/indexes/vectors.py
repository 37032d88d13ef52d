"""Store chunk vectors in FAISS and search them, with access filtering inside the search."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

INDEX_FILE = "vectors.faiss"
# Below this many vectors exact search is fast enough (~5 ms at 50,000 on this 2-core machine);
# from here an inverted-file index (IVF) answers, probing NPROBE_SHARE of its lists, which
# recall@10 0.985 against exact search on the 10,896 real vectors of the bench (0.979 at 15 %).
ANN_MIN_VECTORS = 50_000
NPROBE_SHARE = 0.25
# A viewer who may open less than this share of the vectors is searched exactly among them:
# the few lists IVF probes could hold too few of theirs, and scanning their subset is cheap.
ANN_MIN_ALLOWED_SHARE = 0.3
META_FILE = "vectors.json"
FORMAT_VERSION = 1


class IndexLoadError(Exception):
    """Raise when a saved vector index cannot be used as it is; the caller rebuilds."""


class IndexMismatch(IndexLoadError):
    """Raise when a saved index was built with another model or dimension."""


class IndexCorrupt(IndexLoadError):
    """Raise when a saved index is missing, unreadable or inconsistent."""


def _as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    """Return ids as a C-contiguous 1-d int64 array."""
    arr = ids if isinstance(ids, np.ndarray) else np.fromiter((int(i) for i in ids), dtype=np.int64)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"ids must be integers, got {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.int64).reshape(-1)


class VectorIndex:
    """Hold unit vectors under int64 chunk ids and search them by inner product."""

    def __init__(self, model_name: str, dim: int, index: Any = None) -> None:
        if dim < 1:
            raise ValueError("dim must be positive")
        self.model_name = model_name
        self.dim = int(dim)
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        # Which engines (and precisions) wrote these vectors: recorded, never a reason to rebuild.
        self.engines: set[str] = set()
        # FAISS allows concurrent searches but not a search during add/remove; the web app
        # searches while the indexer writes, so every access takes this lock.
        self._lock = threading.RLock()
        self._ann: Any = None
        self._builder: threading.Thread | None = None
        self._version = 0  # bumped by every add and remove, so a stale IVF build is dropped

    @classmethod
    def create(cls, model_name: str, dim: int) -> VectorIndex:
        """Return a new, empty index for vectors of one model."""
        return cls(model_name, dim)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def copy(self) -> VectorIndex:
        """Return an independent copy to change while this one keeps serving searches."""
        with self._lock:
            other = VectorIndex(self.model_name, self.dim, faiss.clone_index(self._index))
            if self._ann is not None:
                other._ann = faiss.clone_index(self._ann)
            return other

    def kind(self) -> str:
        """Say which index answers an unrestricted search: "exact" or "ivf<lists>"."""
        return "exact" if self._ann is None else f"ivf{self._ann.nlist}"

    def build_ann(self, min_vectors: int = ANN_MIN_VECTORS) -> None:
        """Build the IVF index when there are min_vectors vectors or more (else drop it)."""
        with self._lock:
            total = int(self._index.ntotal)
            if total < max(min_vectors, 1):
                self._ann = None
                return
            matrix = self._matrix()
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            version = self._version
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # a search set this thread to one
        nlist = int(2 * np.sqrt(total))
        # k-means on a seeded sample of 40 vectors per list: seconds, not minutes, at 100,000.
        rng = np.random.default_rng(0)
        sample = matrix[rng.choice(total, min(total, 40 * nlist), replace=False)]
        metric = faiss.METRIC_INNER_PRODUCT
        ann = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, nlist, metric)
        ann.train(sample)
        ann.add_with_ids(matrix, ids)
        ann.nprobe = max(1, int(np.ceil(NPROBE_SHARE * nlist)))
        with self._lock:
            if self._version == version:
                self._ann = ann

    def _ann_ready(self) -> Any:
        """Return the IVF index if built; start building it aside when it is due."""
        if self._ann is None and len(self) >= ANN_MIN_VECTORS and self._builder is None:
            # Searches stay exact (slower, never wrong) for the seconds the build takes.
            self._builder = threading.Thread(
                target=self.build_ann, args=(ANN_MIN_VECTORS,), daemon=True
            )
            self._builder.start()
        return self._ann

    def _matrix(self) -> np.ndarray:
        inner = faiss.downcast_index(self._index.index)
        flat = faiss.rev_swig_ptr(inner.get_xb(), int(inner.ntotal) * self.dim)
        return np.array(flat, dtype=np.float32).reshape(-1, self.dim)

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (ids, vectors) of every stored row, in storage order."""
        with self._lock:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64), self._matrix()

    def ids(self) -> np.ndarray:
        """Return a copy of the stored ids, in storage order."""
        with self._lock:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=True)

    def _vectors(self, vectors: Any, n: int | None = None) -> np.ndarray:
        arr = np.asarray(vectors, dtype=np.float32)
        if arr.size == 0 and n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise ValueError(f"expected vectors of dim {self.dim}, got shape {arr.shape}")
        if n is not None and arr.shape[0] != n:
            raise ValueError(f"got {n} ids but {arr.shape[0]} vectors")
        return np.ascontiguousarray(arr)

    def add(self, ids: Iterable[int] | np.ndarray, vectors: Any) -> None:
        """Add vectors under ids, replacing any vectors already stored under those ids."""
        id_arr = _as_ids(ids)
        vecs = self._vectors(vectors, len(id_arr))
        if len(np.unique(id_arr)) != len(id_arr):
            raise ValueError("ids must be unique within one add")
        if not len(id_arr):
            return
        with self._lock:
            # IndexIDMap2 keeps a reverse map that a duplicate id would silently corrupt.
            self._remove(id_arr)
            self._index.add_with_ids(vecs, id_arr)
            self._version += 1
            if self._ann is not None:
                self._ann.add_with_ids(vecs, id_arr)

    def _remove(self, id_arr: np.ndarray) -> int:
        if not len(id_arr) or not self._index.ntotal:
            return 0
        selector = faiss.IDSelectorBatch(id_arr)
        self._version += 1
        if self._ann is not None:
            self._ann.remove_ids(selector)
        return int(self._index.remove_ids(selector))

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Remove the vectors stored under ids; return how many were removed."""
        id_arr = _as_ids(ids)
        with self._lock:
            return self._remove(id_arr)

    def search(
        self,
        query_vector: Any,
        k: int,
        allowed_ids: Collection[int] | np.ndarray | None = None,
        exact: bool = False,
    ) -> list[tuple[int, float]]:
        """Return up to k (id, score) pairs best first, drawn only from allowed_ids if given.

        The IVF index answers when there is one and the allowed ids are at least
        ANN_MIN_ALLOWED_SHARE of the vectors; exact search answers otherwise, or when asked.
        """
        query = self._vectors(query_vector)
        if query.shape[0] != 1:
            raise ValueError("search takes exactly one query vector")
        if k <= 0:
            return []
        selector, share = None, 1.0
        if allowed_ids is not None:
            allowed = _as_ids(allowed_ids)
            if not len(allowed):
                return []
            # The selector filters inside the scan, so top-k is taken among allowed vectors only
            # (post-filtering a plain top-k could return fewer than k results, or none).
            selector = faiss.IDSelectorBatch(allowed)
            share = len(allowed) / max(1, len(self))
        # One thread per search: requests already run side by side on the two cores, and
        # FAISS's threads made a search of 100,000 vectors 5x slower when the cores were busy.
        faiss.omp_set_num_threads(1)
        with self._lock:
            total = int(self._index.ntotal)
            if not total:
                return []
            ann = None if exact or share < ANN_MIN_ALLOWED_SHARE else self._ann_ready()
            if ann is not None:
                params = faiss.SearchParametersIVF(sel=selector, nprobe=ann.nprobe)
                scores, labels = ann.search(query, min(k, total), params=params)
            else:
                params = None if selector is None else faiss.SearchParameters(sel=selector)
                scores, labels = self._index.search(query, min(k, total), params=params)
        return [
            (int(label), float(score))
            for label, score in zip(labels[0], scores[0], strict=True)
            if label != -1
        ]

    def vectors_of(self, ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """Return the stored vectors of these ids, one row each (ids not stored are skipped)."""
        rows = []
        with self._lock:
            for chunk_id in _as_ids(ids):
                try:
                    rows.append(self._index.reconstruct(int(chunk_id)))
                except RuntimeError:  # not stored (yet): the indexer has not reached it
                    continue
        return np.array(rows, dtype=np.float32).reshape(-1, self.dim)

    def mean_by_group(self, groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return the mean vector of each group of ids (ids not stored are skipped)."""
        with self._lock:
            stored = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            matrix = self._matrix()
        out = {}
        for name, ids in groups.items():
            rows = np.isin(stored, ids)
            if rows.any():
                out[name] = matrix[rows].mean(axis=0)
        return out

    # --- persistence ----------------------------------------------------------------------------

    def save(self, directory: str | os.PathLike) -> None:
        """Write vectors.faiss and vectors.json into directory, each replaced atomically."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            data = faiss.serialize_index(self._index).tobytes()
            count = int(self._index.ntotal)
        meta = {
            "format": FORMAT_VERSION,
            "model": self.model_name,
            "dim": self.dim,
            "count": count,
            "sha256": hashlib.sha256(data).hexdigest(),
            "engines": sorted(self.engines),
        }
        meta_bytes = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        # Both files are complete on disk before either is swapped in; a crash between the two
        # replaces leaves a pair whose checksum disagrees, which load reports as IndexCorrupt.
        index_tmp = _write_temp(folder, INDEX_FILE, data)
        try:
            meta_tmp = _write_temp(folder, META_FILE, meta_bytes)
        except BaseException:
            _unlink_quietly(index_tmp)
            raise
        try:
            os.replace(index_tmp, folder / INDEX_FILE)
            os.replace(meta_tmp, folder / META_FILE)
        except BaseException:
            _unlink_quietly(index_tmp)
            _unlink_quietly(meta_tmp)
            raise
        _fsync_dir(folder)

    @classmethod
    def load(cls, directory: str | os.PathLike, model_name: str, dim: int) -> VectorIndex:
        """Read an index saved for model_name and dim, or raise IndexMismatch/IndexCorrupt."""
        folder = Path(directory)
        meta = _read_meta(folder / META_FILE)
        if meta["model"] != model_name or meta["dim"] != dim:
            raise IndexMismatch(
                f"index in {folder} was built with {meta['model']!r} (dim {meta['dim']}), "
                f"expected {model_name!r} (dim {dim}); rebuild it"
            )
        try:
            data = (folder / INDEX_FILE).read_bytes()
        except OSError as exc:
            raise IndexCorrupt(f"cannot read {folder / INDEX_FILE}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise IndexCorrupt(f"{folder / INDEX_FILE} does not match the checksum in {META_FILE}")
        try:
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except Exception as exc:  # FAISS raises RuntimeError, but any failure means unreadable
            raise IndexCorrupt(f"cannot parse {folder / INDEX_FILE}: {exc}") from exc
        if not isinstance(index, faiss.IndexIDMap2):
            raise IndexCorrupt(f"{folder / INDEX_FILE} holds a {type(index).__name__}")
        if index.d != dim or index.ntotal != meta["count"]:
            raise IndexCorrupt(
                f"{folder / INDEX_FILE} holds {index.ntotal} vectors of dim {index.d}, "
                f"{META_FILE} says {meta['count']} of dim {dim}"
            )
        loaded = cls(model_name, dim, index)
        loaded.engines = {str(e) for e in meta.get("engines") or []}
        return loaded


def _read_meta(path: Path) -> dict[str, Any]:
    """Return the parsed metadata file, or raise IndexCorrupt."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"cannot read {path}: {exc}") from exc
    expected = {"model": str, "dim": int, "count": int, "sha256": str}
    if not isinstance(meta, dict) or any(
        not isinstance(meta.get(key), kind) for key, kind in expected.items()
    ):
        raise IndexCorrupt(f"{path} lacks model/dim/count/sha256")
    if meta.get("format") != FORMAT_VERSION:
        raise IndexCorrupt(f"{path} has unknown format {meta.get('format')!r}")
    return meta


def _write_temp(folder: Path, final_name: str, data: bytes) -> Path:
    """Write data to a fsynced temporary file beside final_name and return its path."""
    # Same directory as the target, so os.replace is a rename within one file system.
    fd, tmp = tempfile.mkstemp(prefix=f".{final_name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private; the web server may run as another user and must read it.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink_quietly(Path(tmp))
        raise
    return Path(tmp)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(folder: Path) -> None:
    """Flush the directory entry so the renames survive a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Not every platform can open a directory; the data files are synced anyway.
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
