"""Hybrid search: both legs restricted to what the viewer may open, fused, aggregated to documents."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from kb.search import fusion
from kb.search.access import Viewer
from kb.search.catalog import FACETS, Catalog, Filters
from kb.search.embed import Embedder
from kb.search.keyword import KeywordIndex
from kb.search.vectors import VectorIndex

METHODS = ("convex", "rrf", "keyword", "dense")
# "Vad har vi lärt oss om Y": the asker wants the group reflections first.
LEARNED = re.compile(
    r"\b(lärt oss|lärde vi|lärdomar|vad tar vi med oss|erfarenhet(er)? av|"
    r"what (have|did) we learn|lessons learned|learned about)\b", re.I)


@dataclass(frozen=True)
class SearchRequest:
    text: str
    viewer: Viewer
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    offset: int = 0
    method: str = "convex"


@dataclass(frozen=True)
class SearchHit:
    doc_id: int
    source: str
    title: str
    kind: str
    score: float
    snippet: str
    keyword_score: float | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    facets: dict[str, dict[str, int]]
    learned: bool = False


@dataclass(frozen=True)
class SearchParams:
    alpha: float = 0.5
    rrf_k: int = 60
    candidates: int = 50
    learned_boost: float = 1.35


def wants_learned(text: str) -> bool:
    """Tell whether a question asks what the groups have learned."""
    return bool(LEARNED.search(text))


def plain_snippet(text: str, max_chars: int = 240) -> str:
    """Return the escaped opening of a text, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


class HybridSearcher:
    """Runs one search over the catalog, the keyword index and the vector index."""

    def __init__(self, catalog: Catalog, keyword: KeywordIndex, vectors: VectorIndex,
                 embedder: Embedder, params: SearchParams, texts) -> None:
        self.catalog = catalog
        self.keyword = keyword
        self.vectors = vectors
        self.embedder = embedder
        self.params = params
        # texts(doc_id) -> (document text, {chunk_id: chunk text}) for snippets
        self.texts = texts

    def legs(self, text: str, allowed: list[int], everything: bool, n: int
             ) -> tuple[dict[int, float], dict[int, float], dict[int, int]]:
        """Return keyword and dense document scores, and each document's best chunk."""
        allowed_set = None if everything else set(allowed)
        # The index may still hold a document the database has just dropped: the catalog decides.
        kw = {h.doc_id: h.score for h in self.keyword.search(text, allowed_set, n)
              if h.doc_id in self.catalog.docs and (allowed_set is None or h.doc_id in allowed_set)}
        qvec = self.embedder.embed_queries([text])[0]
        if everything:
            chunk_ids = None
        else:
            chunk_ids = [c for d in allowed for c in self.catalog.doc_chunks.get(d, ())]
        chunk_hits = self.vectors.search(qvec, n * 3, chunk_ids) if (
            chunk_ids is None or chunk_ids) else []
        dense: dict[int, float] = {}
        best_chunk: dict[int, int] = {}
        for chunk_id, score in chunk_hits:
            doc_id = self.catalog.chunk_doc.get(chunk_id)
            if doc_id is None or (allowed_set is not None and doc_id not in allowed_set):
                continue  # a vector of a chunk not (or no longer) in the catalog
            if score > dense.get(doc_id, float("-inf")):
                dense[doc_id] = score
                best_chunk[doc_id] = chunk_id
        top = dict(fusion.ranked(dense)[:n])
        return kw, top, best_chunk

    def fuse(self, method: str, kw: dict[int, float], dense: dict[int, float]
             ) -> dict[int, float]:
        """Combine the legs with the chosen method."""
        if method == "keyword":
            return fusion.min_max(kw)
        if method == "dense":
            return fusion.min_max(dense)
        if method == "rrf":
            return fusion.rrf([[d for d, _ in fusion.ranked(kw)],
                               [d for d, _ in fusion.ranked(dense)]], self.params.rrf_k)
        return fusion.convex(kw, dense, self.params.alpha)

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search for one viewer; nothing the viewer may not open is looked at."""
        if request.method not in METHODS:
            raise ValueError(f"unknown search method {request.method!r}; use one of {METHODS}")
        text = request.text.strip()
        allowed = self.catalog.visible(request.viewer, request.filters)
        if not text or not allowed:
            return SearchResult((), 0, {})
        everything = len(allowed) == len(self.catalog.docs)
        n = max(self.params.candidates, request.offset + request.limit)
        kw, dense, best_chunk = self.legs(text, allowed, everything, n)
        scores = self.fuse(request.method, kw, dense)
        learned = wants_learned(text)
        if learned:
            factor = {d: self.params.learned_boost for d in scores
                      if self.catalog.docs[d].kind == "reflection"}
            scores = fusion.boost(scores, factor)
        ordered = fusion.ranked(scores)
        facets = count_facets(self.catalog, [d for d, _ in ordered])
        page = ordered[request.offset:request.offset + request.limit]
        hits = []
        for doc_id, score in page:
            info = self.catalog.docs[doc_id]
            hits.append(SearchHit(
                doc_id=doc_id, source=info.source, title=info.title, kind=info.kind,
                score=round(float(score), 6),
                snippet=self.snippet(doc_id, text, best_chunk.get(doc_id)),
                keyword_score=kw.get(doc_id), dense_score=dense.get(doc_id)))
        return SearchResult(tuple(hits), len(ordered), facets, learned)

    def snippet(self, doc_id: int, text: str, chunk_id: int | None) -> str:
        """Highlight the query words in the document; else show its best-matching passage."""
        document_text, chunks = self.texts(doc_id)
        marked = self.keyword.snippet(text, document_text)
        if marked:
            return marked
        passage = chunks.get(chunk_id) if chunk_id is not None else None
        return plain_snippet(passage or document_text)


def count_facets(catalog: Catalog, doc_ids: list[int]) -> dict[str, dict[str, int]]:
    """Count facet values over the given (already permitted) documents."""
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for doc_id in doc_ids:
        info = catalog.docs[doc_id]
        for facet in FACETS:
            for value in info.facet_values(facet):
                out[facet][value] = out[facet].get(value, 0) + 1
    return {f: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for f, v in out.items()}
