"""Open the indexes for a server that starts: any that is damaged is set aside, never fatal.

The database is the truth. An index file that does not open, or that disagrees with the
database, is moved out of the way (`<folder>.damaged`, the last one kept for a look) and
the server starts on an empty index in its place; its indexer rebuilds it in the
background, and until then the search says which legs are being rebuilt.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from sqlalchemy import func, select

from kb.models import Chunk, Document
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import IndexLoadError, VectorIndex

log = logging.getLogger("kb.indexer")

LEGS = ("keyword", "dense", "sparse")
DAMAGED_SUFFIX = ".damaged"
# A leg holding less than this share of what the database holds counts as being rebuilt.
COMPLETE_SHARE = 0.5


def set_aside(folder: Path) -> None:
    """Move a damaged index folder to `<folder>.damaged` (replacing an older one)."""
    if not folder.exists():
        return
    target = folder.with_name(folder.name + DAMAGED_SUFFIX)
    shutil.rmtree(target, ignore_errors=True)
    try:
        folder.rename(target)
    except OSError:  # cannot move it (another file system, permissions): drop it instead
        shutil.rmtree(folder, ignore_errors=True)
    log.warning("the index in %s was damaged: set aside as %s, rebuilding it", folder, target)


def open_keyword(keyword) -> bool:
    """Open the keyword index and read it through; set it aside and start afresh when that
    fails. Return whether it opened."""
    try:
        keyword.open()
        keyword.verify()
        return True
    except Exception as exc:  # random bytes give OSError, TypeError, struct errors, ...
        log.warning("the keyword index does not open (%s: %s)", type(exc).__name__, exc)
    keyword.close()
    set_aside(keyword.path)
    keyword.open(create=True)
    return False


def load_or_set_aside(load, folder: Path, attempts: int = 2):
    """Return the index `load()` reads from `folder`, or None after setting the folder aside.

    A load is tried twice a moment apart: another process saving its pair of files right
    then is no damage.
    """
    for attempt in range(attempts):
        try:
            return load()
        except IndexLoadError as exc:
            error = exc
        except Exception as exc:  # a parser's own error on random bytes: damaged all the same
            error = exc
        if attempt < attempts - 1:
            time.sleep(0.3)
    if any(folder.glob("*")):
        log.warning("the index in %s does not open (%s)", folder, error)
        set_aside(folder)
    return None


def open_saved(vector_path: Path, sparse_path: Path, embedder, encoder):
    """Open the vector and sparse indexes a server searches; a damaged one is set aside and
    starts empty. Return (vectors, vectors rebuilt, sparse, sparse rebuilt)."""
    emb = embedder
    vectors = load_or_set_aside(
        lambda: VectorIndex.load(vector_path, emb.name, emb.dim), vector_path
    )
    sparse = None
    if encoder is not None:
        sparse = load_or_set_aside(
            lambda: SparseIndex.load(sparse_path, encoder.name, encoder.dim), sparse_path
        )
    return (
        vectors or VectorIndex.create(emb.name, emb.dim),
        vectors is None,
        (sparse or SparseIndex(encoder.name, encoder.dim)) if encoder is not None else None,
        encoder is not None and sparse is None,
    )


def disagreeing_legs(session, keyword, vectors, sparse) -> set[str]:
    """Return the legs that hold far less than the database does (an empty one in place of
    a damaged one, one from an older copy of the instance)."""
    documents = session.scalar(select(func.count(Document.id)))
    chunks = session.scalar(select(func.count(Chunk.id)))
    out = set()
    if keyword.doc_count() < documents * COMPLETE_SHARE:
        out.add("keyword")
    for name, index in (("dense", vectors), ("sparse", sparse)):
        if index is None:
            continue
        if len(index.ids()) < chunks * COMPLETE_SHARE:
            out.add(name)
    return out
