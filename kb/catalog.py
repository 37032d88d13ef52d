"""An in-memory catalog of documents' metadata, for access checks, filters and facets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Opened, Viewer, may_read, opening_keys, readers_of
from kb.limits import MAX_LABELS
from kb.models import Authorship, Chunk, Document, DocumentsGeneration, Person
from kb.text.messages import N_

# The viewers (reader key sets) whose documents a catalog remembers.
OPENED_CACHE = 256


@dataclass(frozen=True)
class DocInfo:
    id: int
    source: str
    kind: str
    title: str
    date: date | None
    language: str | None
    visibility: str
    group: str | None
    step: str | None
    subjects: tuple[str, ...]
    grades: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    units: tuple[str, ...]
    readers: frozenset[str]
    # Bumped whenever the document or who may read it changes (kb.models.Document.revision).
    revision: int = 0

    def facet_values(self, facet: str) -> tuple[str, ...]:
        """Return this document's values for one facet."""
        return tuple(v for v in FACET_BY_NAME[facet].values(self) if v)


def _one(value) -> tuple:
    return (value,) if value else ()


@dataclass(frozen=True)
class Facet:
    """One facet of documents: its name, how to read a document's values, where it is offered.

    A facet is one entry here (plus its column in kb/models.py and a migration): the catalog
    counts it, `Filters` gets a field of its name, the API and the CLI filter by it, and the
    search page offers it when `on_page` is true.
    """

    name: str
    label: str  # a message id: the pages show it translated
    values: Callable[[DocInfo], tuple[str, ...]]
    on_page: bool = True


FACET_LIST = (
    Facet("kind", N_("Typ"), lambda d: (d.kind,)),
    Facet("subject", N_("Ämne"), lambda d: d.subjects),
    Facet("grade", N_("Årskurs"), lambda d: d.grades),
    Facet("unit", N_("Enhet"), lambda d: d.units),
    Facet("group", N_("Grupp"), lambda d: _one(d.group)),
    Facet("step", N_("Steg"), lambda d: _one(d.step)),
    Facet("language", N_("Språk"), lambda d: _one(d.language)),
    Facet("author", N_("Författare"), lambda d: d.authors),
)
FACETS = tuple(f.name for f in FACET_LIST)
FACET_BY_NAME = {f.name: f for f in FACET_LIST}


def _accepts(self, doc: DocInfo) -> bool:
    """Tell whether a document passes every filter (case-insensitive on text values)."""
    for facet in FACETS:
        wanted = getattr(self, facet)
        if wanted is not None and wanted.casefold() not in {
            v.casefold() for v in doc.facet_values(facet)
        }:
            return False
    if self.date_from and (doc.date is None or doc.date < self.date_from):
        return False
    return not (self.date_to and (doc.date is None or doc.date > self.date_to))


# Narrowing of a search: one field per facet, and a date range; None means no restriction.
Filters = make_dataclass(  # noqa: N816 (a class)
    "Filters",
    [(name, str | None, field(default=None)) for name in FACETS]
    + [
        ("date_from", date | None, field(default=None)),
        ("date_to", date | None, field(default=None)),
    ],
    frozen=True,
    namespace={"accepts": _accepts, "__doc__": "Narrowing of a search; None means no restriction."},
)


NO_FILTERS = Filters()


class Catalog:
    """Every document's metadata and chunk ids, read from the database in one go."""

    def __init__(self, docs: dict[int, DocInfo], chunk_doc: dict[int, int]) -> None:
        self.docs = docs
        self.by_source = {d.source: d for d in docs.values()}
        self.chunk_doc = chunk_doc
        self.doc_chunks: dict[int, list[int]] = {}
        for chunk_id, doc_id in chunk_doc.items():
            self.doc_chunks.setdefault(doc_id, []).append(chunk_id)
        # Every chunk id, ascending, beside its document's id (chunk_ids).
        self._chunks = np.array(sorted(chunk_doc), dtype=np.int64)
        self._owners = np.array([chunk_doc[c] for c in self._chunks.tolist()], dtype=np.int64)
        # Chunk ids per document language, for the language priors of the semantic legs.
        by_language: dict[str, list[int]] = {}
        for chunk_id, doc_id in chunk_doc.items():
            by_language.setdefault(self.language_of(doc_id), []).append(chunk_id)
        self.chunks_by_language = {
            lang: np.array(sorted(ids), dtype=np.int64) for lang, ids in by_language.items()
        }
        # Documents by reader key, so a viewer's documents are a union of a few lists rather
        # than a check of every document (100,000 checks cost a search ~0.3 s).
        self._position = {doc_id: i for i, doc_id in enumerate(docs)}
        self._by_reader: dict[str, list[int]] = {}
        for doc in docs.values():
            for key in doc.readers:
                self._by_reader.setdefault(key, []).append(doc.id)
        self.revisions = {doc_id: doc.revision for doc_id, doc in docs.items()}
        self.every = frozenset(docs)
        # A catalog never changes (a new one is read when the documents do): each viewer's
        # documents are found once, not at every search.
        self._opened: dict[frozenset[str], Opened | None] = {}

    def language_of(self, doc_id: int) -> str:
        """Return a document's language, "und" when it has none."""
        doc = self.docs.get(doc_id)
        return (doc.language or "und") if doc else "und"

    def chunk_ids(self, doc_ids) -> np.ndarray:
        """Return the chunk ids of these documents, ascending."""
        wanted = np.fromiter(doc_ids, dtype=np.int64)
        if not len(wanted) or not len(self._chunks):
            return np.zeros(0, dtype=np.int64)
        # A table over document ids: one vectorised pass instead of a loop over documents.
        table = np.zeros(max(int(wanted.max()), int(self._owners.max())) + 1, dtype=bool)
        table[wanted[wanted >= 0]] = True
        return self._chunks[table[self._owners]]

    @classmethod
    def load(cls, session: Session) -> Catalog:
        """Read the catalog from the database."""
        units = dict(session.execute(select(Person.id, Person.unit)).all())
        authors: dict[int, list[str]] = {}
        for doc_id, person_id in session.execute(
            select(Authorship.document_id, Authorship.person_id).order_by(
                Authorship.document_id, Authorship.position
            )
        ):
            authors.setdefault(doc_id, []).append(person_id)
        docs = {}
        rows = session.execute(
            select(
                Document.id,
                Document.source,
                Document.kind,
                Document.title,
                Document.date,
                Document.language,
                Document.visibility,
                Document.group,
                Document.step,
                Document.subjects,
                Document.grades,
                Document.tags,
                Document.revision,
            )
        )
        for row in rows:
            ids = tuple(authors.get(row.id, ()))
            author_units = tuple(dict.fromkeys(units[a] for a in ids if units.get(a)))
            docs[row.id] = DocInfo(
                id=row.id,
                source=row.source,
                kind=row.kind,
                title=row.title,
                date=row.date,
                language=row.language,
                visibility=row.visibility,
                group=row.group,
                step=row.step,
                # At most MAX_LABELS each: a document stored before the limit (kb.limits)
                # must not make every search's facets cost more.
                subjects=tuple(row.subjects or ())[:MAX_LABELS],
                grades=tuple(row.grades or ())[:MAX_LABELS],
                tags=tuple(row.tags or ())[:MAX_LABELS],
                authors=ids,
                units=author_units,
                readers=readers_of(row.visibility, ids, author_units),
                revision=row.revision,
            )
        chunk_doc = dict(session.execute(select(Chunk.id, Chunk.document_id)).all())
        return cls(docs, chunk_doc)

    def opened_by(self, viewer: Viewer) -> Opened | None:
        """Return the documents the viewer may open, with her reader keys; None when that is
        every one.

        A viewer who may open everything needs no mask: at 100,000 documents building and
        applying one took most of a search.
        """
        keys = opening_keys(viewer)
        if keys is None:
            return None
        if keys not in self._opened:  # two requests may both find them: the same answer
            if len(self._opened) >= OPENED_CACHE:
                self._opened.clear()
            ids = {d for key in keys for d in self._by_reader.get(key, ())}
            whole = len(ids) == len(self.docs)
            self._opened[keys] = None if whole else Opened(ids, keys, self.revisions)
        return self._opened[keys]

    def narrowed(self, opened: Opened | None, filters: Filters | None) -> frozenset[int]:
        """Return the documents of `opened` (None: every one) that pass the filters."""
        ids = self.every if opened is None else opened
        if filters is None or filters == NO_FILTERS:
            return ids
        return frozenset(d for d in ids if filters.accepts(self.docs[d]))

    def visible(self, viewer: Viewer, filters: Filters | None = None) -> list[int]:
        """Return the ids of documents the viewer may open that pass the filters, in the
        catalog's order."""
        ids = self.narrowed(self.opened_by(viewer), filters)
        if len(ids) == len(self.docs):
            return list(self.docs)
        return sorted(ids, key=self._position.__getitem__)

    def may_open(self, viewer: Viewer, source: str) -> bool:
        """Tell whether the viewer may open the document with this source."""
        doc = self.by_source.get(source)
        return doc is not None and may_read(viewer, doc.readers)


def count_facets(catalog: Catalog, doc_ids: list[int]) -> dict[str, dict[str, int]]:
    """Count facet values over the given (already permitted) documents."""
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for doc_id in doc_ids:
        info = catalog.docs[doc_id]
        for facet in FACETS:
            for value in info.facet_values(facet):
                out[facet][value] = out[facet].get(value, 0) + 1
    return {f: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for f, v in out.items()}


def fingerprint(session: Session) -> tuple:
    """Return the documents' generation: it changes whenever any of them does.

    (number of documents, highest id, sum of revisions), kept in one row by triggers in the
    writing transaction (migration 0011): ids are never reused and revisions only grow, so
    an add, an edit or a delete always moves it.
    """
    row = session.execute(
        select(
            DocumentsGeneration.documents,
            DocumentsGeneration.highest_id,
            DocumentsGeneration.revisions,
        ).where(DocumentsGeneration.id == 1)
    ).one()
    return tuple(int(v) for v in row)
