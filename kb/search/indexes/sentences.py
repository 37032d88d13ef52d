"""Keep the vectors of the sentences an answer may quote, derived from the database like the rest.

Only the sentences kb.text.sentences.quotable keeps (a reflection's lessons, a material's
opening) are embedded, each after its document's title as the passages are, so that ingest
pays for a few hundred short sentences rather than for every sentence. The index is one file,
sentences.npz, replaced atomically; a missing or broken one is rebuilt from the database.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.files import replace_bytes
from kb.models import Document
from kb.search.indexes.encoding import remembered
from kb.search.indexes.imported import imported_at
from kb.search.indexes.progress import IndexingStopped
from kb.search.indexes.vectors import IndexCorrupt, IndexLoadError, IndexMismatch
from kb.text.sentences import quotable

FILE = "sentences.npz"
# Bumped whenever kb.text.sentences chooses other sentences: a saved index of another version
# is rebuilt from the database, as one of another model is.
VERSION = 1
BATCH = 64


@dataclass(frozen=True)
class SentenceRow:
    """A quotable sentence of one document revision: where it stands and its exact words."""

    doc_id: int
    section: str
    text: str
    start: int


class SentenceIndex:
    """Hold each quotable sentence with its unit vector, by document and revision."""

    def __init__(self, model_name: str, dim: int) -> None:
        self.model_name, self.dim = model_name, int(dim)
        self.revisions: dict[int, int] = {}
        self.rows: list[SentenceRow] = []
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._by_doc: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def of(self, doc_ids) -> list[int]:
        """Return the row numbers of these documents' sentences, in document order."""
        return [i for d in doc_ids for i in self._by_doc.get(d, ())]

    def rows_of(self, doc_id: int) -> list[SentenceRow]:
        """Return one document's quotable sentences."""
        return [self.rows[i] for i in self._by_doc.get(doc_id, ())]

    def _settle(self) -> None:
        self._by_doc = {}
        for i, row in enumerate(self.rows):
            self._by_doc.setdefault(row.doc_id, []).append(i)

    def sync(self, session: Session, embed, progress=None) -> tuple[int, int]:
        """Embed the sentences of documents new or changed since the index was made and drop
        those of documents gone; return (documents embedded, documents dropped).

        `progress(total=n)`, when given, is told of each batch; when it raises (the indexer
        was told to stop) the index holds every document embedded so far, whole, and the
        rest are embedded by the next sync.
        """
        current = dict(session.execute(select(Document.id, Document.revision)).all())
        stale = [d for d, rev in current.items() if self.revisions.get(d) != rev]
        gone = [d for d in self.revisions if d not in current]
        if not stale and not gone:
            return 0, 0
        keep = [i for i, r in enumerate(self.rows) if r.doc_id in current and r.doc_id not in stale]
        self.rows = [self.rows[i] for i in keep]
        self.matrix = self.matrix[keep] if keep else np.zeros((0, self.dim), dtype=np.float32)
        self.revisions = {
            d: r for d, r in self.revisions.items() if d in current and d not in stale
        }
        self._settle()
        todo = list(self._stale_sentences(session, stale))
        bar = progress(total=sum(len(rows) for _, _, rows, _ in todo)) if progress else None
        blocks, added = [self.matrix], []
        try:
            # A batch ends at a document's end, so a stop never leaves a document half done.
            pending: list = []
            for doc in todo:
                pending.append(doc)
                if sum(len(d[2]) for d in pending) >= BATCH or doc is todo[-1]:
                    titled = [t for _, _, _, texts in pending for t in texts]
                    if titled:
                        blocks.append(np.asarray(embed(titled), dtype=np.float32))
                    added += pending
                    pending = []
                    if bar is not None:
                        bar.update(len(titled))
        finally:
            # Stacked once, not per batch: a first ingest holds hundreds of thousands.
            self.matrix = np.vstack(blocks)
            self.rows = self.rows + [r for _, _, rows, _ in added for r in rows]
            self.revisions.update({doc_id: revision for doc_id, revision, _, _ in added})
            self._settle()
        if bar is not None:
            bar.close()
        return len(stale), len(gone)

    def _stale_sentences(self, session: Session, stale: list[int]):
        """Yield (document id, revision, sentence rows, titled texts) of these documents."""
        for start in range(0, len(stale), 500):
            ids = stale[start : start + 500]
            query = select(
                Document.id,
                Document.revision,
                Document.kind,
                Document.format,
                Document.title,
                Document.text,
            )
            for doc in session.execute(query.where(Document.id.in_(ids))):
                # A PDF's page shows its page texts as the sandbox reads them, not doc.text:
                # a sentence of it could not be marked where the link leads, so none is quoted.
                quoted = quotable(doc.text or "", doc.kind) if doc.format != "pdf" else []
                rows = [SentenceRow(doc.id, s.section, s.text, s.start) for s in quoted]
                yield doc.id, doc.revision, rows, [f"{doc.title}\n{s.text}" for s in quoted]

    def save(self, directory: str | os.PathLike) -> None:
        """Write sentences.npz in one atomic replace (vectors, rows and revisions together)."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "model": self.model_name,
            "dim": self.dim,
            "version": VERSION,
            "revisions": {str(d): r for d, r in self.revisions.items()},
            "rows": [[r.doc_id, r.section, r.text, r.start] for r in self.rows],
        }
        buffer = io.BytesIO()
        encoded = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8)
        np.savez(buffer, matrix=self.matrix.astype(np.float16), meta=encoded)
        replace_bytes(folder / FILE, buffer.getvalue())

    @classmethod
    def load(cls, directory: str | os.PathLike, model_name: str, dim: int) -> SentenceIndex:
        """Read the index; IndexMismatch for another model, IndexCorrupt for a broken file."""
        try:
            arrays = np.load(io.BytesIO((Path(directory) / FILE).read_bytes()))
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            matrix = arrays["matrix"].astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(f"sentence index unreadable: {exc}") from exc
        if (meta.get("model"), meta.get("dim"), meta.get("version")) != (model_name, dim, VERSION):
            raise IndexMismatch(f"sentence index built with {meta.get('model')}, not {model_name}")
        if len(matrix) != len(meta["rows"]):
            raise IndexCorrupt("sentence index: vectors and sentences differ in number")
        index = cls(model_name, dim)
        index.revisions = {int(d): int(r) for d, r in meta["revisions"].items()}
        index.rows = [SentenceRow(int(d), s, t, int(o)) for d, s, t, o in meta["rows"]]
        index.matrix = matrix.reshape(len(index.rows), dim)
        index._settle()
        return index


def open_sentences(path: Path, model_name: str, dim: int) -> SentenceIndex:
    """Load the sentence index, or start an empty one when missing, broken or of another model."""
    try:
        return SentenceIndex.load(path, model_name, dim)
    except IndexLoadError:
        return SentenceIndex(model_name, dim)


def sync_sentences(
    path: Path, session: Session, embedder, force: bool = False, progress=None
) -> None:
    """Bring the saved sentence index in step with the database (from nothing when forced);
    run after the other indexes, so a search finds a new document before it is quoted. A
    round told to stop saves the documents it embedded before it stops."""
    index = SentenceIndex(embedder.name, embedder.dim)
    if not force:
        index = open_sentences(path, embedder.name, embedder.dim)
    embed = remembered(embedder, imported_at(path.parent))
    try:
        changed = any(index.sync(session, embed, progress))
    except IndexingStopped:
        index.save(path)
        raise
    if changed or not (path / FILE).exists():
        index.save(path)


class SavedSentences:
    """The sentence index as last saved, reread once an indexer (in this process or another)
    has saved a newer one; a reference swap, so a search holds one whole index."""

    def __init__(self, path: Path, embedder, enabled: bool = True) -> None:
        self.path, self.embedder, self.enabled = path, embedder, enabled
        self._index: SentenceIndex | None = None
        self._mtime: int | None = None

    @classmethod
    def of(cls, settings, embedder) -> SavedSentences:
        """Return the saved sentences of an instance (index folder/sentences), on when answers are."""
        return cls(settings.index_path / "sentences", embedder, settings.answers)

    def sync(self, session: Session, force: bool = False, progress=None) -> None:
        """Sync the saved index with the database (sync_sentences); nothing when disabled."""
        if self.enabled:
            sync_sentences(self.path, session, self.embedder, force, progress)

    def current(self) -> SentenceIndex | None:
        """Return the index as saved now (empty before the first save; None when disabled)."""
        if not self.enabled:
            return None
        file = self.path / FILE
        mtime = file.stat().st_mtime_ns if file.exists() else None
        if self._index is None or mtime != self._mtime:
            self._index = open_sentences(self.path, self.embedder.name, self.embedder.dim)
            self._mtime = mtime
        return self._index
