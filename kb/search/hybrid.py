"""Hybrid search: three legs restricted to what the viewer may open, fused, per document."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from kb.limits import SNIPPET_SCAN_CHARS
from kb.search import fusion
from kb.search.access import Viewer
from kb.search.catalog import FACETS, Catalog, Filters
from kb.search.embed import Embedder
from kb.search.keyword import KeywordIndex
from kb.search.sparse import SparseEncoder, SparseIndex
from kb.search.vectors import VectorIndex
from kb.text.language import detect_query_language
from kb.text.questions import LEARNED

METHODS = ("convex", "rrf", "keyword", "dense", "sparse")
LEGS = ("keyword", "dense", "sparse")
SORTS = ("relevance", "newest")  # the orders a search can be shown in; the first is the default
# "Vad har vi lärt oss om Y": the asker wants the group reflections first.


@dataclass(frozen=True)
class SearchRequest:
    text: str
    viewer: Viewer
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    offset: int = 0
    method: str = "convex"
    sort: str = SORTS[0]


@dataclass(frozen=True)
class SearchHit:
    doc_id: int
    source: str
    title: str
    kind: str
    score: float
    snippet: str
    leg_scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    facets: dict[str, dict[str, int]]
    learned: bool = False


@dataclass(frozen=True)
class SearchParams:
    weights: Mapping[str, float] = field(
        default_factory=lambda: {"keyword": 0.3, "dense": 0.3, "sparse": 0.4}
    )
    rrf_k: int = 60
    candidates: int = 50
    learned_boost: float = 1.35
    # Hits under this share of the best fused score are noise from the semantic legs' long tail.
    min_relative_score: float = 0.2
    # Subtract each language's mean similarity so a question's own language gets no head start.
    language_priors: bool = True


@dataclass
class LegResult:
    scores: dict[int, float]
    best_chunk: dict[int, int] = field(default_factory=dict)


def wants_learned(text: str) -> bool:
    """Tell whether a question asks what the groups have learned."""
    return bool(LEARNED.search(text))


def plain_snippet(text: str, max_chars: int = 240) -> str:
    """Return the escaped opening of a text, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the indices of the k highest scores, best first, ties by index.

    The same as np.argsort(-scores, kind="stable")[:k] without sorting all n scores.
    """
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    neg = -scores
    kth = np.partition(neg, k - 1)[k - 1]
    better = np.flatnonzero(neg < kth)
    tied = np.flatnonzero(neg == kth)[: k - len(better)]
    chosen = np.concatenate([better, tied])
    return chosen[np.lexsort((chosen, neg[chosen]))]


def to_documents(
    chunk_hits: list[tuple[int, float]], chunk_doc: Mapping[int, int], n: int
) -> LegResult:
    """Aggregate chunk scores to documents by their best chunk; keep the n best documents."""
    scores: dict[int, float] = {}
    best: dict[int, int] = {}
    for chunk_id, score in chunk_hits:
        doc_id = chunk_doc.get(chunk_id)
        if doc_id is not None and score > scores.get(doc_id, float("-inf")):
            scores[doc_id] = score
            best[doc_id] = chunk_id
    top = dict(fusion.ranked(scores)[:n])
    return LegResult(top, {d: best[d] for d in top})


class HybridSearcher:
    """Runs one search over the catalog and the keyword, dense and sparse indexes."""

    def __init__(
        self,
        catalog: Catalog,
        keyword: KeywordIndex,
        vectors: VectorIndex,
        embedder: Embedder,
        params: SearchParams,
        texts: Callable[[list[int]], dict[int, str]],
        sparse_index: SparseIndex | None = None,
        sparse_encoder: SparseEncoder | None = None,
        centroids: Mapping[str, np.ndarray] | None = None,
        chunk_texts: Callable[[list[int]], dict[int, str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.keyword = keyword
        self.vectors = vectors
        self.embedder = embedder
        self.params = params
        self.texts = texts
        self.chunk_texts = chunk_texts or (lambda chunk_ids: {})
        self.sparse_index = sparse_index
        self.sparse_encoder = sparse_encoder
        self.centroids = centroids or {}

    # ------------------------------------------------------------------ legs
    def keyword_leg(self, text: str, allowed: set[int] | None, n: int) -> LegResult:
        """BM25F over the allowed documents (Whoosh filters before taking the top n)."""
        # The index may still hold a document the database has just dropped: the catalog decides.
        hits = self.keyword.search(text, allowed, n)
        return LegResult(
            {
                h.doc_id: h.score
                for h in hits
                if h.doc_id in self.catalog.docs and (allowed is None or h.doc_id in allowed)
            }
        )

    def language_groups(self, allowed_chunks: np.ndarray | None) -> dict[str, np.ndarray]:
        """Split the allowed chunk ids by their document's language."""
        groups = self.catalog.chunks_by_language
        if allowed_chunks is None:
            return dict(groups)
        return {lang: ids[np.isin(ids, allowed_chunks)] for lang, ids in groups.items()}

    def dense_leg(
        self, text: str, groups: dict[str, np.ndarray], everything: bool, n: int
    ) -> LegResult:
        """Inner product over the allowed chunks, minus each language's prior when there are several.

        score(c) = q·v_c − q·μ_{lang(c)}, μ_L the mean chunk vector of language L; each language
        is searched on its own (FAISS filters before top-k), then the lists are merged.
        """
        query = self.embedder.embed_queries([text])[0]
        k = n * 3
        live = {lang: ids for lang, ids in groups.items() if len(ids)}
        if len(live) <= 1 or not self.params.language_priors:
            allowed = (
                None
                if everything
                else np.concatenate(list(live.values()) or [np.zeros(0, dtype=np.int64)])
            )
            if allowed is not None and not len(allowed):
                return LegResult({})
            return to_documents(self.vectors.search(query, k, allowed), self.catalog.chunk_doc, n)
        hits = []
        for lang, ids in live.items():
            prior = float(query @ self.centroids[lang]) if lang in self.centroids else 0.0
            hits += [(c, s - prior) for c, s in self.vectors.search(query, k, ids)]
        return to_documents(hits, self.catalog.chunk_doc, n)

    def sparse_leg(self, text: str, groups: dict[str, np.ndarray], n: int) -> LegResult:
        """Dot product of latent terms over the allowed chunks, minus each language's mean score."""
        if self.sparse_index is None or self.sparse_encoder is None or not len(self.sparse_index):
            return LegResult({})
        query = self.sparse_encoder.encode_queries([text])
        ids, scores = self.sparse_index.scores(query)
        hits: list[tuple[int, float]] = []
        for ids_of_lang in groups.values():
            mask = np.isin(ids, ids_of_lang)
            if not mask.any():
                continue
            sub_ids, sub = ids[mask], scores[mask]
            if self.params.language_priors and len(groups) > 1:
                sub = sub - sub.mean()
            top = top_indices(sub, n * 3)
            hits += [(int(sub_ids[i]), float(sub[i])) for i in top]
        return to_documents(hits, self.catalog.chunk_doc, n)

    def legs(
        self,
        text: str,
        allowed: list[int],
        everything: bool,
        n: int,
        wanted: tuple[str, ...] = LEGS,
    ) -> dict[str, LegResult]:
        """Run the wanted legs among the allowed documents only."""
        allowed_set = None if everything else set(allowed)
        allowed_chunks = None if everything else self.catalog.chunk_ids(allowed)
        groups = self.language_groups(allowed_chunks)
        out = {}
        if "keyword" in wanted:
            out["keyword"] = self.keyword_leg(text, allowed_set, n)
        if "dense" in wanted:
            out["dense"] = self.dense_leg(text, groups, everything, n)
        if "sparse" in wanted:
            out["sparse"] = self.sparse_leg(text, groups, n)
        return out

    # ------------------------------------------------------------------ fusion
    def fuse(
        self, method: str, legs: dict[str, LegResult], query_language: str | None
    ) -> dict[int, float]:
        """Combine the legs with the chosen method."""
        scores = {name: leg.scores for name, leg in legs.items()}
        if method in LEGS:
            return fusion.min_max(scores.get(method, {}))
        if method == "rrf":
            return fusion.rrf(
                [[d for d, _ in fusion.ranked(s)] for s in scores.values() if s], self.params.rrf_k
            )
        unreachable = {}
        if query_language:
            # Keywords only meet texts in the question's language; elsewhere the other legs judge.
            unreachable["keyword"] = {
                d
                for s in scores.values()
                for d in s
                if self.catalog.language_of(d) not in (query_language, "und")
            }
        weights = {
            leg: w
            for leg, w in self.params.weights.items()
            if leg != "sparse" or self.sparse_encoder is not None
        }
        return fusion.weighted(scores, weights, unreachable)

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search for one viewer; nothing the viewer may not open is looked at."""
        if request.method not in METHODS:
            raise ValueError(f"unknown search method {request.method!r}; use one of {METHODS}")
        text = request.text.strip()
        allowed = self.catalog.visible(request.viewer, request.filters)
        if not text or not allowed:
            return SearchResult((), 0, {})
        query_language = detect_query_language(text)
        if query_language is None and not self.keyword.knows_any(
            text, None if request.viewer.is_system else self.catalog.visible(request.viewer)
        ):
            # Not one known word and no sentence to understand ("zyxw", "Minecraft"): the
            # semantic legs would only return their nearest guesses, so say there is nothing.
            # Only words in documents this viewer may open count (filters aside: they are the
            # viewer's own choice), so a hidden document's words answer like no word at all.
            return SearchResult((), 0, {})
        everything = len(allowed) == len(self.catalog.docs)
        n = max(self.params.candidates, request.offset + request.limit)
        wanted = (request.method,) if request.method in LEGS else LEGS
        legs = self.legs(text, allowed, everything, n, wanted)
        scores = self.fuse(request.method, legs, query_language)
        learned = wants_learned(text)
        if learned:
            factor = {
                d: self.params.learned_boost
                for d in scores
                if self.catalog.docs[d].kind == "reflection"
            }
            scores = fusion.boost(scores, factor)
        ordered = self.order(scores, request)
        facets = count_facets(self.catalog, [d for d, _ in ordered])
        page = ordered[request.offset : request.offset + request.limit]
        snippets = self.snippets([d for d, _ in page], text, legs)
        hits = []
        for doc_id, score in page:
            info = self.catalog.docs[doc_id]
            hits.append(
                SearchHit(
                    doc_id=doc_id,
                    source=info.source,
                    title=info.title,
                    kind=info.kind,
                    score=round(float(score), 6),
                    snippet=snippets[doc_id],
                    leg_scores=tuple(
                        (name, round(leg.scores[doc_id], 6))
                        for name, leg in legs.items()
                        if doc_id in leg.scores
                    ),
                )
            )
        return SearchResult(tuple(hits), len(ordered), facets, learned)

    def order(self, scores: dict[int, float], request: SearchRequest) -> list[tuple[int, float]]:
        """Rank fused scores, drop convex fusion's long tail, then apply the chosen order."""
        ordered = fusion.ranked(scores)
        if ordered and request.method == "convex":
            floor = ordered[0][1] * self.params.min_relative_score
            ordered = [(d, v) for d, v in ordered if v >= floor]
        if request.sort == "newest":
            dates = {d: self.catalog.docs[d].date for d, _ in ordered}
            ordered = fusion.newest_first(ordered, dates)
        return ordered

    def snippets(self, doc_ids: list[int], text: str, legs: dict[str, LegResult]) -> dict:
        """Highlight the query words in each document; else show its best-matching passage.

        The texts of a page are read in one query, and passages only for the hits that need
        them. Highlighting analyses a text word by word: its opening is enough for a snippet,
        so a very long document does not make every search that finds it slow.
        """
        texts = self.texts(doc_ids)
        out = {}
        for doc_id in doc_ids:
            document = texts.get(doc_id, "")
            out[doc_id] = self.keyword.snippet(text, document[:SNIPPET_SCAN_CHARS])
        best = {}
        for doc_id in doc_ids:
            chunk = next(
                (leg.best_chunk[doc_id] for leg in legs.values() if doc_id in leg.best_chunk), None
            )
            if not out[doc_id] and chunk is not None:
                best[doc_id] = chunk
        passages = self.chunk_texts(list(best.values())) if best else {}
        for doc_id in doc_ids:
            if not out[doc_id]:
                passage = passages.get(best.get(doc_id, -1))
                out[doc_id] = plain_snippet(passage or texts.get(doc_id, ""))
        return out


def count_facets(catalog: Catalog, doc_ids: list[int]) -> dict[str, dict[str, int]]:
    """Count facet values over the given (already permitted) documents."""
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for doc_id in doc_ids:
        info = catalog.docs[doc_id]
        for facet in FACETS:
            for value in info.facet_values(facet):
                out[facet][value] = out[facet].get(value, 0) + 1
    return {f: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for f, v in out.items()}
