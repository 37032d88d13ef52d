"""The keyword leg on Whoosh: Swedish analysis, BM25F, and highlighted snippets (the reference)."""

from __future__ import annotations

import math
import re
import shutil
import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path

from whoosh import index, scoring
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser, OrGroup, WildcardPlugin
from whoosh.query import Every, NullQuery, Or

from kb.search.indexes.analysis import exact_analyzer, swedish_analyzer
from kb.search.indexes.highlight import Highlighter
from kb.search.indexes.keywords import (
    FIELD_BOOSTS,
    KeywordDoc,
    KeywordHit,
    coverage_shares,
    term_groups,
)
from kb.search.model.memo import Memo

INDEX_NAME = "kb"
# Bump when the schema or the analysis changes: Whoosh pickles the analyzer into the index, so
# an index written by older code is rebuilt rather than read with mismatched analysis.
SCHEMA_VERSION = "3"
VERSION_FILE = "kb-schema-version"
# Parsed queries kept: a search parses its text once, not once per leg and snippet.
PARSED_CACHE = 256


__all__ = ["KeywordDoc", "KeywordHit", "WhooshIndex", "make_schema"]


def make_schema() -> Schema:
    """Return the index schema: analysed title, tags and body, plus an unstemmed exact field."""
    sv = swedish_analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        revision=STORED,
        title=TEXT(analyzer=sv, field_boost=FIELD_BOOSTS["title"]),
        tags=TEXT(analyzer=sv, field_boost=FIELD_BOOSTS["tags"]),
        body=TEXT(analyzer=sv),
        exact=TEXT(analyzer=exact_analyzer(), phrase=True, field_boost=FIELD_BOOSTS["exact"]),
    )


class WhooshIndex:
    """A Whoosh index in one folder, derived from the database and rebuildable from it."""

    backend = "whoosh"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ix = None
        # The schema the version file vouches for. Index.schema would reread the table of
        # contents from disk at every use, racing a writer's clean-up in another process.
        self.schema = make_schema()
        # One searcher per request thread: a Whoosh reader keeps a read position in each open
        # file, and two threads reading one postings file at once read each other's bytes
        # (an UnpicklingError, a 500, seen under load). `_epoch` tells them to open anew.
        self._local = threading.local()
        self._epoch = 0
        self._parsed = Memo(PARSED_CACHE)
        self.highlighter = Highlighter(self.schema["body"].analyzer)

    def parse(self, text: str):
        """Return the parsed query of a text (None: no word to look for), parsed once."""
        return self._parsed.get(text, lambda: parse_query(self.schema, text))

    def open(self, create: bool = False) -> None:
        """Open the index; start afresh when asked, missing, unreadable or of another version."""
        version_file = self.path / VERSION_FILE
        if not create and index.exists_in(str(self.path), indexname=INDEX_NAME):
            current = version_file.read_text().strip() if version_file.exists() else None
            if current == SCHEMA_VERSION:
                try:
                    self._ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
                    self._drop_searcher()
                    return
                except Exception:  # a torn or foreign index: the database can rebuild it
                    pass
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
        version_file.write_text(SCHEMA_VERSION)
        self._drop_searcher()

    @property
    def ix(self):
        if self._ix is None:
            self.open()
        return self._ix

    def _drop_searcher(self) -> None:
        # Not closed: a request thread may be searching it; it closes when let go of.
        self._epoch += 1

    def _reset_searcher(self) -> None:
        local = self._local
        if getattr(local, "searcher", None) is not None:
            local.searcher.close()
        local.searcher = None
        self._epoch += 1

    def searcher(self):
        """Return this thread's searcher, seeing the newest committed index."""
        local = self._local
        current = getattr(local, "searcher", None)
        if current is None or local.epoch != self._epoch or not current.up_to_date():
            # A fresh searcher, not refresh(): refresh closes the old reader, which this
            # thread may still hold results of. The old one closes when let go of.
            local.epoch = self._epoch
            local.searcher, local.docnums = self._new_searcher(), None
        return local.searcher

    def _new_searcher(self, attempts: int = 10):
        """Open a searcher on the newest commit, again when a writer's clean-up removed the
        table of contents it was about to read (another process committing right then)."""
        for attempt in range(attempts):
            try:
                return self.ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def verify(self) -> None:
        """Read every stored document through a reader of its own; raise when damaged."""
        # A reader of its own: the searcher retries a missing file for seconds.
        reader = self.ix.reader()
        try:
            for _fields in reader.all_stored_fields():
                pass
        finally:
            reader.close()
        self.searcher()

    def tidy(self) -> None:
        """Nothing to do: Whoosh's next commit removes what a killed writer left."""

    def doc_count(self) -> int:
        """Return how many documents the index holds."""
        return self.searcher().doc_count()

    def revisions(self) -> dict[int, int]:
        """Return {doc_id: revision} of everything in the index."""
        searcher = self.searcher()
        return {int(f["doc_id"]): int(f.get("revision", 0)) for f in searcher.all_stored_fields()}

    def docnums(self) -> dict[int, int]:
        """Return {doc_id: Whoosh document number} for the current searcher."""
        searcher = self.searcher()
        local = self._local
        if local.docnums is None:
            local.docnums = {int(fields["doc_id"]): num for num, fields in searcher.iter_docs()}
        return local.docnums

    def apply(
        self,
        upserts: Iterable[KeywordDoc],
        deletes: Iterable[int],
        added: Iterable[KeywordDoc] = (),
    ) -> None:
        """Write changed documents, delete removed ones and add new ones (no older copy
        looked for: half the work on a first ingest) in one Whoosh commit."""
        writer = self.ix.writer(timeout=30.0)
        try:
            for doc_id in deletes:
                writer.delete_by_term("doc_id", str(doc_id))
            for write, docs in ((writer.update_document, upserts), (writer.add_document, added)):
                for doc in docs:
                    write(
                        doc_id=str(doc.doc_id),
                        revision=doc.revision,
                        title=doc.title,
                        tags=doc.tags,
                        body=doc.body,
                        exact=f"{doc.title}\n{doc.tags}\n{doc.body}",
                    )
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._drop_searcher()

    def search(
        self,
        text: str,
        allowed: Collection[int] | None,
        limit: int,
        expansions: Collection[str] = (),
        expansion_weight: float = 0.0,
    ) -> list[KeywordHit]:
        """Return the best documents for a query, among `allowed` doc ids only (None: all).

        Expansion words (synonyms) join the query with their weight below the user's own.
        """
        query = self.parse(text)
        if query is None:
            return []
        # Parsed afresh: its boost is set below, and parsed queries are shared.
        extra = parse_query(self.schema, " ".join(expansions)) if expansions else None
        if extra is not None and expansion_weight > 0:
            extra.boost = expansion_weight
            query = Or([query, extra])
        searcher = self.searcher()
        mask = self.allowed_mask(allowed)
        if mask is not None and not mask:
            return []
        results = searcher.search(query, limit=limit, filter=mask)
        return [KeywordHit(int(hit["doc_id"]), float(hit.score)) for hit in results]

    def knows_any(self, query_text: str, allowed: Collection[int] | None = None) -> bool:
        """Tell whether any word of the query occurs in a document of `allowed` (None: all).

        Only the asker's documents count: a word that occurs only in what they may not open
        must answer exactly like a word that occurs nowhere.
        """
        query = self.parse(query_text)
        if query is None:
            return False
        mask = self.allowed_mask(allowed)
        if mask is not None and not mask:
            return False
        return len(self.searcher().search(query, limit=1, filter=mask, scored=False)) > 0

    def allowed_mask(self, allowed: Collection[int] | None) -> set[int] | None:
        """Return the Whoosh document numbers of the allowed doc ids (None: every document)."""
        if allowed is None:
            return None
        nums = self.docnums()
        return {nums[d] for d in allowed if d in nums}

    def word_frequency(self, word: str, mask: set[int] | None) -> int:
        """Count the documents (within `mask`) that hold this exact word."""
        reader = self.searcher().reader()
        if ("exact", word) not in reader:
            return 0
        docs = set(reader.postings("exact", word).all_ids())
        return len(docs if mask is None else docs & mask)

    def near_words(self, word: str, maxdist: int, mask: set[int] | None) -> dict[str, int]:
        """Return the indexed words within `maxdist` edits of `word`, found in `mask`, by count.

        Only words in the given documents count, so a viewer is never offered a word that
        occurs only in what they may not open.
        """
        reader = self.searcher().reader()
        found = {}
        for candidate in reader.terms_within("exact", word, maxdist, prefix=1):
            count = self.word_frequency(candidate, mask)
            if count:
                found[candidate] = count
        return found

    def coverage(
        self,
        text: str,
        allowed: Collection[int] | None,
        groups: Iterable[Iterable[str]] | None = None,
        among: Collection[int] | None = None,
    ) -> dict[int, float]:
        """Return, per allowed document, the idf-weighted share of the query's words it holds.

        c(d) = Σ_{g ∈ q, d holds g} w(g) / Σ_{g ∈ q} w(g) over the query's analysed terms g,
        w(g) = idf(g), a word no document holds counting with the largest idf: "pannkakor i
        skolan" is not half-answered by a text that says "skolan". With `groups` (an English
        question's Swedish alternatives, one group per English word) a group is one word:
        held when any of its terms is, weighing its best-known term's idf. `among` (the
        candidates) does not change a value here: Whoosh reads every posting anyway.
        """
        groups = term_groups(self.schema["body"].analyzer, text, groups)
        if not groups:
            return {}
        searcher = self.searcher()
        reader = searcher.reader()
        ceiling = math.log(reader.doc_count_all() + 1) + 1
        mask = self.allowed_mask(allowed)
        weights, holders = [], []
        for group in groups:
            docs: set[int] = set()
            idfs = []
            for term in group:
                found = {
                    num
                    for name in ("title", "tags", "body")
                    if (name, term) in reader
                    for num in reader.postings(name, term).all_ids()
                }
                if found:
                    idfs.append(searcher.idf("body", term))
                docs |= found
            weights.append(max(idfs) if idfs else ceiling)
            holders.append(docs if mask is None else docs & mask)
        share = coverage_shares(weights, holders)
        ids = {num: doc_id for doc_id, num in self.docnums().items()}
        return {ids[num]: v for num, v in share.items() if num in ids}

    def snippet(self, query_text: str, document_text: str, max_chars: int = 300) -> str | None:
        """Return an HTML-escaped snippet of document_text with the query's words in <mark>."""
        return self.highlighter.snippet(query_text, document_text, max_chars)

    def close(self) -> None:
        self._reset_searcher()


def parse_query(schema: Schema, text: str):
    """Parse what a colleague typed into an OR query over title, tags, body and exact words."""
    cleaned = re.sub(r"[^\w\s\"'.:-]", " ", text, flags=re.UNICODE).strip()
    if not cleaned:
        return None
    parser = MultifieldParser(
        ["title", "tags", "body", "exact"], schema, group=OrGroup.factory(0.9)
    )
    parser.remove_plugin_class(WildcardPlugin)
    # "title:x" or "body:x" are words like any other: field syntax would let a query probe
    # the index field by field.
    parser.remove_plugin_class(FieldsPlugin)
    try:
        query = parser.parse(cleaned)
    except Exception:  # a stray quote or colon must never break search
        query = parser.parse(re.sub(r"[\"':]", " ", cleaned))
    if query is NullQuery or isinstance(query, Every) or not list(query.iter_all_terms()):
        return None
    return query
