"""The keyword leg on tantivy, fed kb's own Swedish analysis as pre-analysed tokens.

tantivy's own Swedish stemmer does not split compounds (bedömningsmatris), so every field
holds the tokens kb's analyzers make (kb.search.indexes.analysis) and every query is built
from the same analysis. The permission filter is a clause of the query itself: the engine
never ranks a document the viewer may not open, so such documents use up no place in the
top k.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import tantivy

from kb.search.indexes.analysis import exact_analyzer, swedish_analyzer
from kb.search.indexes.highlight import Highlighter
from kb.search.indexes.keywords import FIELD_BOOSTS, KeywordDoc, KeywordHit
from kb.search.indexes.tantivy_query import (
    build_query,
    coverage,
    doc_freq,
    every_address,
    guarded,
    id_filter,
    idf_ratio,
    reader_filter,
    within,
)
from kb.search.model.memo import Memo

# Bump when the schema or the analysis changes: the tokens are kb's, made at index time.
SCHEMA_VERSION = "2"
VERSION_FILE = "kb-schema-version"
STEMMED = ("title", "tags", "body")
# Index-time weight as repetition: a title token indexed three times has tf×3 and, since
# every title is repeated alike, the same length ratio dl/avgdl (Whoosh's field_boost).
REPEAT = {name: int(FIELD_BOOSTS[name]) for name in STEMMED}
WRITER_HEAP = 50_000_000
PARSED_CACHE = 256
FILTER_CACHE = 8


def make_schema() -> tantivy.Schema:
    """Return the schema: doc id and revision as fast fields, the reader keys, four fields
    of kb's tokens."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("revision", stored=True, fast=True)
    builder.add_text_field("readers", tokenizer_name="raw", index_option="basic")
    for name in (*STEMMED, "exact"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="position")
    return builder.build()


class TantivyIndex:
    """A tantivy index in one folder, derived from the database and rebuildable from it."""

    backend = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.schema = make_schema()
        self._ix: tantivy.Index | None = None
        self._searcher = None
        self._seen: tuple | None = None
        self._lock = threading.RLock()
        self._stemmed = swedish_analyzer()
        self._exact = exact_analyzer()
        self._parsed = Memo(PARSED_CACHE)
        self._filters = Memo(FILTER_CACHE)
        self._behind: tuple = (None, None, frozenset())  # (searcher, revisions, ids behind)
        self.highlighter = Highlighter(self._stemmed)
        self._vocabulary: dict[str, list[str]] = {}
        self._tidied = False

    # ------------------------------------------------------------------ files
    def open(self, create: bool = False) -> None:
        """Open the index; start afresh when asked, missing or of another version.

        An index of this version that does not open raises KeywordIndexError: the caller
        sets it aside for a look (kb.search.indexes.repair) before starting afresh.
        """
        version_file = self.path / VERSION_FILE
        self._tidied = False
        if not create and (self.path / "meta.json").exists():
            current = version_file.read_text().strip() if version_file.exists() else None
            if current == SCHEMA_VERSION:
                self._ix = guarded(lambda: tantivy.Index.open(str(self.path)))
                self._forget()
                return
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        version_file.write_text(SCHEMA_VERSION)
        self._forget()

    @property
    def ix(self) -> tantivy.Index:
        if self._ix is None:
            self.open()
        return self._ix

    def _forget(self) -> None:
        with self._lock:
            self._searcher, self._seen = None, None
            self._vocabulary = {}
            self._parsed.clear()  # its terms are weighed by this commit's statistics

    def searcher(self):
        """Return a searcher on the newest commit (another process may have written it)."""
        try:
            stat = (self.path / "meta.json").stat()
            seen = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        with self._lock:
            if self._searcher is None or seen != self._seen:
                ix = self.ix
                guarded(ix.reload)
                self._searcher, self._seen = guarded(ix.searcher), seen
                self._vocabulary = {}
                self._parsed.clear()
            return self._searcher

    def verify(self) -> None:
        """Read every document's fields through; raise KeywordIndexError when damaged."""
        searcher = self.searcher()
        addresses = every_address(searcher)
        guarded(lambda: searcher.fast_field_values("revision", addresses))
        for address in addresses:
            guarded(lambda a=address: searcher.doc(a))
        guarded(lambda: searcher.terms_with_prefix("exact", "", limit=1))

    def close(self) -> None:
        self._forget()
        self._ix = None

    def doc_count(self) -> int:
        """Return how many documents the index holds."""
        return int(self.searcher().num_docs)

    def revisions(self, searcher=None) -> dict[int, int]:
        """Return {doc_id: revision} of everything in the index (as `searcher` sees it)."""
        searcher = searcher or self.searcher()  # one searcher: the addresses are its own
        addresses = every_address(searcher)
        ids = guarded(lambda: searcher.fast_field_values("doc_id", addresses))
        revs = guarded(lambda: searcher.fast_field_values("revision", addresses))
        return {int(d): int(r or 0) for d, r in zip(ids, revs, strict=True)}

    def _writer(self):
        """Return a writer on the index as it is on disk now, first clearing what a writer
        killed mid-commit left behind.

        The index is opened afresh: tantivy reads its list of the files it wrote
        (.managed.json) when it opens an index and writes that list back whole, so a writer
        on an index opened before another process's commit would drop that process's files
        from the list and never remove them. A killed commit leaves files no meta.json names,
        one of them possibly the deletes file (<segment>.<opstamp>.del) the next commit
        writes under the same name, which would fail on it; and the temporary file of an
        atomic write (.tmp…). The writer's lock means no other process is writing here.
        """
        if self._ix is None:
            self.open()  # made here when there is none yet
        fresh = guarded(lambda: tantivy.Index.open(str(self.path)))
        with self._lock:
            self._ix = fresh
        writer = guarded(lambda: fresh.writer(heap_size=WRITER_HEAP, num_threads=1))
        for leftover in self.path.glob(".tmp*"):
            leftover.unlink(missing_ok=True)
        guarded(writer.garbage_collect_files)
        self._tidied = True
        return writer

    def tidy(self) -> None:
        """Remove what a writer killed mid-commit left, once after opening (the caller holds
        the index lock; every later commit clears after itself)."""
        if not self._tidied:
            self._writer().wait_merging_threads()

    def apply(
        self,
        upserts: Iterable[KeywordDoc],
        deletes: Iterable[int],
        added: Iterable[KeywordDoc] = (),
    ) -> None:
        """Write changed documents, delete removed ones and add new ones in one commit."""
        writer = self._writer()
        try:
            for doc_id in deletes:
                writer.delete_documents_by_term("doc_id", int(doc_id))
            for doc in upserts:
                writer.delete_documents_by_term("doc_id", int(doc.doc_id))
                writer.add_document(self._document(doc))
            for doc in added:
                writer.add_document(self._document(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self._forget()

    def _document(self, doc: KeywordDoc) -> tantivy.Document:
        out = tantivy.Document()
        out.add_integer("doc_id", int(doc.doc_id))
        out.add_integer("revision", int(doc.revision))
        for key in doc.readers:
            out.add_text("readers", key)
        for name, text in (("title", doc.title), ("tags", doc.tags), ("body", doc.body)):
            out.add_pre_tokenized_text(name, self._tokens(self._stemmed, text, REPEAT[name]))
        exact = f"{doc.title}\n{doc.tags}\n{doc.body}"
        out.add_pre_tokenized_text("exact", self._tokens(self._exact, exact, 1))
        return out

    @staticmethod
    def _tokens(analyzer, text: str, repeat: int) -> tantivy.PreTokenizedString:
        """Return kb's analysis of a text as tantivy tokens, each `repeat` times at its place."""
        tokens = [
            tantivy.Token(t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode="index")
            for _ in range(repeat)
        ]
        return tantivy.PreTokenizedString(text, tokens)

    # ------------------------------------------------------------------ queries
    def parse(self, text: str):
        """Return the query of a text (None: no word to look for), built once."""
        return self._parsed.get(text, lambda: self._build(text))

    def _build(self, text: str):
        """Build an OR query over the stemmed fields and the exact words, phrases kept."""
        searcher = self.searcher()
        docs = int(searcher.num_docs)

        def weigh(field: str, term: str) -> float:
            return idf_ratio(doc_freq(searcher, field, term), docs)

        return build_query(self.schema, text, self._stemmed, self._exact, weigh)

    def _filtered(self, query, allowed: Collection[int] | None, searcher):
        """Return the query restricted, inside the engine, to the allowed doc ids (for the
        searcher that runs it: which documents it holds behind the database is its own)."""
        if allowed is None:
            return query
        # One search asks with the same mask several times (the leg, word counts, coverage).
        keep = self._keep(self.allowed_mask(allowed), searcher)
        must = tantivy.Occur.Must
        return tantivy.Query.boolean_query([(must, keep), (must, query)])

    def _keep(self, mask: frozenset[int], searcher):
        """Return a filter that scores nothing and lets only the masked documents through.

        A viewer's documents (kb.access.Opened) pass by her reader keys, a term lookup of a
        few keys instead of one of thousands of ids, except those the index holds at another
        revision than the database's: those pass by id, so a document just made private is
        never counted for her and one just shared with her is.
        """
        keys = getattr(mask, "keys", None)
        if not keys:
            return self._filters.get(mask, lambda: id_filter(self.schema, mask))
        behind = self.behind(mask.revisions, searcher)
        let_in = behind & mask
        return self._filters.get(
            (keys, behind, let_in), lambda: reader_filter(self.schema, keys, behind, let_in)
        )

    def behind(self, revisions: Mapping[int, int], searcher) -> frozenset[int]:
        """Return the ids the searcher holds at another revision than `revisions` (the
        database's, kb.catalog.Catalog.revisions), or that the database no longer has."""
        seen_searcher, seen_revisions, ids = self._behind
        if seen_searcher is searcher and seen_revisions is revisions:
            return ids
        ids = frozenset(d for d, r in self.revisions(searcher).items() if revisions.get(d) != r)
        self._behind = (searcher, revisions, ids)
        return ids

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
        if query is None or limit < 1 or (allowed is not None and not allowed):
            return []
        extra = self.parse(" ".join(expansions)) if expansions else None
        if extra is not None and expansion_weight > 0:
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, query),
                    (tantivy.Occur.Should, tantivy.Query.boost_query(extra, expansion_weight)),
                ]
            )
        searcher = self.searcher()
        filtered = self._filtered(query, allowed, searcher)
        hits = guarded(lambda: searcher.search(filtered, limit, count=False).hits)
        ids = guarded(lambda: searcher.fast_field_values("doc_id", [a for _, a in hits]))
        return [KeywordHit(int(d), float(s)) for (s, _), d in zip(hits, ids, strict=True)]

    def _count(self, query, mask: frozenset[int] | None) -> int:
        if mask is not None and not mask:
            return 0
        searcher = self.searcher()
        found = self._filtered(query, mask, searcher)
        return int(guarded(lambda: searcher.search(found, 1, count=True).count))

    def knows_any(self, query_text: str, allowed: Collection[int] | None = None) -> bool:
        """Tell whether any word of the query occurs in a document of `allowed` (None: all).

        Only the asker's documents count: a word that occurs only in what they may not open
        must answer exactly like a word that occurs nowhere.
        """
        query = self.parse(query_text)
        return query is not None and self._count(query, self.allowed_mask(allowed)) > 0

    def allowed_mask(self, allowed: Collection[int] | None) -> frozenset[int] | None:
        """Return the allowed doc ids as a mask (None: every document)."""
        if allowed is None or isinstance(allowed, frozenset):
            return allowed
        return frozenset(int(d) for d in allowed)

    def word_frequency(self, word: str, mask: frozenset[int] | None) -> int:
        """Count the documents (within `mask`) that hold this exact word."""
        query = tantivy.Query.term_query(self.schema, "exact", word)
        if mask is None:
            return self._count(query, None)
        searcher = self.searcher()
        holders = doc_freq(searcher, "exact", word)  # deleted ones not yet merged too: a bound
        if not holders or not mask:
            return 0
        if holders > len(mask) or getattr(mask, "keys", None):
            return self._count(query, mask)
        # Fewer holders than ids in the mask (a rare word): reading them costs less than
        # filtering by every id (a viewer's reader keys filter cheaply: kb.access.Opened).
        hits = guarded(lambda: searcher.search(query, holders, count=False).hits)
        ids = guarded(lambda: searcher.fast_field_values("doc_id", [a for _, a in hits]))
        return sum(1 for d in ids if int(d) in mask)

    def near_words(self, word: str, maxdist: int, mask: frozenset[int] | None) -> dict[str, int]:
        """Return the indexed words within `maxdist` edits of `word`, found in `mask`, by count.

        Like Whoosh's terms_within: Levenshtein distance, the first letter shared. Only words
        in the given documents count, so a viewer is never offered a word that occurs only
        in what they may not open.
        """
        if not word or (mask is not None and not mask):
            return {}
        found = {}
        for candidate in self._words_from(word[0]):
            if abs(len(candidate) - len(word)) <= maxdist and within(candidate, word, maxdist):
                count = self.word_frequency(candidate, mask)
                if count:
                    found[candidate] = count
        return found

    def _words_from(self, first: str) -> list[str]:
        """Return the exact words that begin with a letter (kept until the next commit)."""
        searcher = self.searcher()
        with self._lock:
            known = self._vocabulary.get(first)
        if known is None:
            terms = guarded(lambda: searcher.terms_with_prefix("exact", first))
            known = [t for t, _ in terms]
            with self._lock:
                self._vocabulary[first] = known
        return known

    def coverage(
        self,
        text: str,
        allowed: Collection[int] | None,
        groups: Iterable[Iterable[str]] | None = None,
        among: Collection[int] | None = None,
    ) -> dict[int, float]:
        """Return, per allowed document, the idf-weighted share of the query's words it holds.

        c(d) = Σ_{g ∈ q, d holds g} w(g) / Σ_{g ∈ q} w(g) over the query's analysed terms g,
        w(g) = idf(g) = ln(N / (df_body(g) + 1)) + 1 (Whoosh's), a word no document holds
        counting with the largest idf ln(N + 1) + 1. With `groups` a group is one word: held
        when any of its terms is, weighing its best-known term's idf. Only the documents in
        `among` (the candidates; None: every allowed one) are answered for.
        """
        return coverage(self, text, allowed, groups, among)

    def snippet(self, query_text: str, document_text: str, max_chars: int = 300) -> str | None:
        """Return an HTML-escaped snippet of document_text with the query's words in <mark>."""
        return self.highlighter.snippet(query_text, document_text, max_chars)
