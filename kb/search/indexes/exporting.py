"""`kb vectors export`: an instance's saved vectors, under the SHA-256 of the texts they were
embedded from, for another instance to import (kb.search.indexes.imported)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse as sp
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.errors import Invalid
from kb.models import Chunk, Document
from kb.search.indexes.indexer import embedded_text
from kb.search.indexes.sentences import FILE as SENTENCES_FILE
from kb.search.indexes.sentences import SentenceIndex
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectorfile import Table, keys_array, text_key, write
from kb.search.indexes.vectors import IndexLoadError, VectorIndex


def export_vectors(
    session: Session, index_path: Path, embedder, sparse_encoder, file: Path
) -> dict[str, int]:
    """Write the saved dense and sparse rows of every passage, and the dense rows of every
    answer sentence, whose texts the database holds now; return how many of each."""
    try:
        vectors = VectorIndex.load(index_path / "vectors", embedder.name, embedder.dim)
    except IndexLoadError as exc:
        raise Invalid(f"there are no vectors of {embedder.name!r} to export yet ({exc})") from exc
    ids, matrix = vectors.rows()
    sparse, enc = None, sparse_encoder
    if enc is not None and (index_path / "sparse" / "sparse.json").exists():
        try:
            sparse = SparseIndex.load(index_path / "sparse", enc.name, enc.dim)
        except IndexLoadError:  # of another model, or damaged: the dense rows go alone
            sparse = None
    sparse_rows = sparse.rows() if sparse is not None else None
    keys = passage_keys(session, ids if sparse is None else np.union1d(ids, sparse_rows[0]))
    dense = Rows()
    dense.add_all(ids, matrix, keys)
    counts = {"passages": len(dense.keys)}
    counts["sentences"] = sentence_rows(session, index_path, embedder, dense)
    tables = {"dense": dense.table(embedder.name, embedder.dim, vectors.engines)}
    if sparse is not None:
        terms = Rows()
        terms.add_all(*sparse_rows, keys)
        tables["sparse"] = terms.table(enc.name, enc.dim, sparse.engines)
        counts["sparse"] = len(terms.keys)
    write(Path(file), tables)
    return counts


class Rows:
    """Rows gathered for one table from one or more matrices, each text's first row only."""

    def __init__(self) -> None:
        self.keys: dict[bytes, None] = {}  # in the order of the rows
        self.parts: list[tuple[object, list[int]]] = []  # (matrix, its row numbers)

    def add_all(self, ids: np.ndarray, matrix, keys: dict[int, bytes]) -> None:
        """Add the rows of these chunk ids whose texts the database holds (keys)."""
        for row, chunk_id in enumerate(ids.tolist()):
            self.add(keys.get(chunk_id), matrix, row)

    def add(self, key: bytes | None, matrix, row: int) -> None:
        if key is None or key in self.keys:
            return
        self.keys[key] = None
        if not self.parts or self.parts[-1][0] is not matrix:
            self.parts.append((matrix, []))
        self.parts[-1][1].append(row)

    def table(self, model: str, dim: int, engines) -> Table:
        blocks = [matrix[np.array(rows, dtype=np.int64)] for matrix, rows in self.parts]
        if any(sp.issparse(b) for b in blocks):
            stacked = sp.vstack(blocks, format="csr")
        elif blocks:
            stacked = np.vstack(blocks).astype(np.float32)
        else:
            stacked = np.zeros((0, dim), dtype=np.float32)
        return Table(model, dim, keys_array(list(self.keys)), stacked, sorted(engines))


def passage_keys(session: Session, chunk_ids: np.ndarray) -> dict[int, bytes]:
    """Return {chunk id: key of the text it is embedded from} of these chunks still stored."""
    keys: dict[int, bytes] = {}
    ids = [int(i) for i in chunk_ids]
    for start in range(0, len(ids), 2000):
        rows = session.execute(
            select(Chunk.id, Chunk.text, Document.title)
            .join(Document)
            .where(Chunk.id.in_(ids[start : start + 2000]))
        )
        for chunk_id, text, title in rows:
            keys[chunk_id] = text_key(embedded_text(title, text))
    return keys


def sentence_rows(session: Session, index_path: Path, embedder, dense: Rows) -> int:
    """Add the answer sentences' rows (of documents unchanged since) to dense; count them."""
    folder = index_path / "sentences"
    if not (folder / SENTENCES_FILE).exists():
        return 0
    try:
        index = SentenceIndex.load(folder, embedder.name, embedder.dim)
    except IndexLoadError:
        return 0
    current = {
        doc_id: (revision, title)
        for doc_id, revision, title in session.execute(
            select(Document.id, Document.revision, Document.title)
        )
    }
    before = len(dense.keys)
    for n, row in enumerate(index.rows):
        revision, title = current.get(row.doc_id, (None, ""))
        if revision is not None and index.revisions.get(row.doc_id) == revision:
            # The text SentenceIndex.sync embeds: the sentence after its document's title.
            dense.add(text_key(f"{title}\n{row.text}"), index.matrix, n)
    return len(dense.keys) - before
