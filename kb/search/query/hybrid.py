"""Hybrid search: three legs restricted to what the viewer may open, fused, per document."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from kb.catalog import Catalog, count_facets
from kb.limits import SNIPPET_SCAN_CHARS
from kb.search.indexes.keywords import KeywordIndex
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import VectorIndex
from kb.search.model.embed import Embedder
from kb.search.model.sparse import SparseEncoder
from kb.search.query import aggregate, calibration, fusion, narrower, thesaurus
from kb.search.query.aggregate import LegResult, to_documents, top_indices  # noqa: F401 (re-exported)
from kb.search.query.calibration import Null
from kb.search.query.named_facets import carries, named_facets
from kb.search.query.question import Question, encode, understand
from kb.search.query.requests import SORTS, SearchHit, SearchParams, SearchRequest, SearchResult
from kb.text import snippets
from kb.text.questions import wants_learned

METHODS = ("convex", "rrf", "keyword", "dense", "sparse")
LEGS = ("keyword", "dense", "sparse")
# Documents offered as the closest material when no hit is confident.
CLOSEST = 3


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
        calibration: Callable[[HybridSearcher], Mapping[str, Null]] | None = None,
        query_cache: dict | None = None,
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
        self.calibration = calibration
        self.query_cache = {} if query_cache is None else query_cache

    def question(self, leg: str, text: str, swedish: str | None = None):
        """Return the question's vector or latent terms (question.encode)."""
        return encode(leg, text, swedish, self.embedder, self.sparse_encoder, self.query_cache)

    # ------------------------------------------------------------------ legs
    def keyword_leg(
        self, text: str, allowed: set[int] | None, n: int, swedish: str | None = None
    ) -> LegResult:
        """BM25F over the allowed documents (the engine filters before taking the top n)."""
        # The index may still hold a document the database has just dropped: the catalog decides.
        weight = self.params.thesaurus_weight
        extra = thesaurus.expansions(text) if weight > 0 else []
        hits = self.keyword.search(Question(text, swedish).words, allowed, n, extra, weight)
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
        return {lang: ids[aggregate.within(ids, allowed_chunks)] for lang, ids in groups.items()}

    def dense_leg(
        self,
        text: str,
        groups: dict[str, np.ndarray],
        everything: bool,
        n: int,
        swedish: str | None = None,
    ) -> LegResult:
        """Inner product over the allowed chunks, minus each language's prior.

        score(c) = q·v_c − q·μ_{lang(c)}, μ_L the mean chunk vector of language L; each language
        is searched on its own (FAISS filters before top-k), then the lists are merged.
        """
        query = self.question("dense", text, swedish)
        k = n * 3
        live = {lang: ids for lang, ids in groups.items() if len(ids)}
        priors = self.shrunk(
            {
                lang: float(query @ self.centroids[lang])
                if lang in self.centroids and self.params.language_priors
                else 0.0
                for lang in live
            }
        )
        if len(live) <= 1 or not self.params.language_priors:
            # One language: one search; its prior still comes off, so that its scores sit on
            # the scale of the noise the cut-off measured over every language.
            allowed = (
                None
                if everything
                else np.concatenate(list(live.values()) or [np.zeros(0, dtype=np.int64)])
            )
            if allowed is not None and not len(allowed):
                return LegResult({})
            shift = next(iter(priors.values()), 0.0) if len(live) == 1 else 0.0
            hits = [(c, s - shift) for c, s in self.vectors.search(query, k, allowed)]
            return to_documents(hits, self.catalog.chunk_doc, n)
        hits = []
        for lang, ids in live.items():
            hits += [(c, s - priors[lang]) for c, s in self.vectors.search(query, k, ids)]
        return to_documents(hits, self.catalog.chunk_doc, n)

    def shrunk(self, priors: dict[str, float]) -> dict[str, float]:
        """Shrink each language's prior towards the collection's (fusion.shrink_priors)."""
        counts = {lang: len(self.catalog.chunks_by_language.get(lang, ())) for lang in priors}
        return fusion.shrink_priors(priors, counts, self.params.prior_shrink)

    def sparse_leg(
        self, text: str, groups: dict[str, np.ndarray], n: int, swedish: str | None = None
    ) -> LegResult:
        """Dot product of latent terms over the allowed chunks, minus each language's mean score."""
        if self.sparse_index is None or self.sparse_encoder is None or not len(self.sparse_index):
            return LegResult({})
        query = self.question("sparse", text, swedish)
        ids, scores = self.sparse_index.scores(query)
        hits: list[tuple[int, float]] = []
        masks = {lang: aggregate.within(ids, of_lang) for lang, of_lang in groups.items()}
        masks = {lang: m for lang, m in masks.items() if m.any()}
        priors = self.shrunk({lang: float(scores[m].mean()) for lang, m in masks.items()})
        for lang, mask in masks.items():
            sub_ids, sub = ids[mask], scores[mask]
            if self.params.language_priors:
                # Also with one language: the scores stay on the scale the noise was measured.
                sub = sub - priors[lang]
            top = top_indices(sub, n * 3)
            hits += [(int(sub_ids[i]), float(sub[i])) for i in top]
        return to_documents(hits, self.catalog.chunk_doc, n)

    def legs(
        self,
        text: str,
        allowed: frozenset[int],
        everything: bool,
        n: int,
        wanted: tuple[str, ...] = LEGS,
        swedish: str | None = None,
    ) -> dict[str, LegResult]:
        """Run the wanted legs among the allowed documents only (swedish: an English question's
        Swedish words)."""
        allowed_set = None if everything else allowed
        allowed_chunks = None if everything else self.catalog.chunk_ids(allowed)
        groups = self.language_groups(allowed_chunks)
        out = {}
        if "keyword" in wanted:
            out["keyword"] = self.keyword_leg(text, allowed_set, n, swedish)
        if "dense" in wanted:
            out["dense"] = self.dense_leg(text, groups, everything, n, swedish)
        if "sparse" in wanted:
            out["sparse"] = self.sparse_leg(text, groups, n, swedish)
        return out

    # ------------------------------------------------------------------ fusion
    def fuse(
        self,
        method: str,
        legs: dict[str, LegResult],
        query_language: str | None,
        judged: dict[str, dict[int, float]] | None = None,
    ) -> dict[int, float]:
        """Combine the legs with the chosen method (judged: the scores the gates read)."""
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
        if self.params.leg_confidence and judged is not None:
            tops = calibration.tops(judged, self.calibration(self))
            weights = fusion.confident_weights(weights, tops, self.gates())
        scale = getattr(fusion, self.params.scale)
        return fusion.weighted(scores, weights, unreachable, scale)

    def gates(self) -> dict[str, float]:
        """Return the score at which each leg alone answers a question."""
        p = self.params
        return {"keyword": p.gate_coverage, "dense": p.gate_z or 0.0, "sparse": p.gate_sparse_z}

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search for one viewer; nothing the viewer may not open is looked at."""
        if request.method not in METHODS:
            raise ValueError(f"unknown search method {request.method!r}; use one of {METHODS}")
        text = request.text.strip()
        # Only words in documents this viewer may open count (filters aside: they are the
        # viewer's own choice).
        mine = self.catalog.opened_by(request.viewer)
        allowed = self.catalog.narrowed(mine, request.filters)
        if not text or not allowed:
            return SearchResult((), 0, {})
        p = self.params
        q = understand(text, self.keyword, mine, p.spelling, p.translate, p.spelling_keeps_words)
        if q.language == "none":
            return SearchResult((), 0, {}, suggestion=q.suggestion)
        text, swedish, suggestion, query_language = q.text, q.swedish, q.suggestion, q.language
        everything = len(allowed) == len(self.catalog.docs)
        n = max(self.params.candidates, request.offset + request.limit)
        wanted = (request.method,) if request.method in LEGS else LEGS
        legs = self.legs(text, allowed, everything, n, wanted, swedish)
        # The scores the gates read, computed once for the fusion and the cut-off.
        gated = request.cutoff and self.params.gate_z is not None
        judged = None
        if request.method == "convex" and self.calibration is not None:
            judged = (
                self.leg_scores(q, legs, request.topic)
                if gated or self.params.leg_confidence
                else None
            )
        scores = self.fuse(request.method, legs, query_language, judged)
        learned = wants_learned(text)
        if learned:
            reflections = (d for d in scores if self.catalog.docs[d].kind == "reflection")
            scores = fusion.boost(scores, dict.fromkeys(reflections, p.learned_boost))
        ordered, near = self.order(scores, judged, request)
        if p.corrected_complete_first and suggestion and judged and request.sort == SORTS[0]:
            # The typist meant the viewer's words: the texts holding all of them come first.
            ordered = fusion.first(ordered, fusion.whole(judged.get("keyword", {})))
        facets = count_facets(self.catalog, [d for d, _ in ordered])
        named = [
            (f, v)
            for f, v in named_facets(text, facets)
            if getattr(request.filters, f, None) is None and facets[f].get(v, 0) < len(ordered)
        ]
        if named and self.params.facet_boost != 1.0 and request.sort == SORTS[0]:
            ordered = fusion.ranked(fusion.boost(dict(ordered), self.facet_factors(named)))
        page = ordered[request.offset : request.offset + request.limit]
        shown = page + (near if request.offset == 0 else [])
        marked = self.snippets([d for d, _ in shown], q.words, legs)
        hits = [self.hit(doc_id, score, legs, marked[doc_id]) for doc_id, score in page]
        closest = [self.hit(d, v, legs, marked[d]) for d, v in near if d in marked]
        return SearchResult(
            tuple(hits), len(ordered), facets, learned, suggestion, tuple(named), tuple(closest)
        )

    def facet_factors(self, named: list[tuple[str, str]]) -> dict[int, float]:
        """Return the boost of every document carrying a facet value the question names."""
        b = self.params.facet_boost
        return {d: b for d, i in self.catalog.docs.items() if carries(i, named)}

    def hit(self, doc_id: int, score: float, legs: dict[str, LegResult], snippet: str) -> SearchHit:
        """Describe one result: its catalog entry, score, snippet and each leg's score."""
        info = self.catalog.docs[doc_id]
        return SearchHit(
            doc_id=doc_id,
            source=info.source,
            title=info.title,
            kind=info.kind,
            score=round(float(score), 6),
            snippet=snippet,
            leg_scores=tuple(
                (name, round(leg.scores[doc_id], 6))
                for name, leg in legs.items()
                if doc_id in leg.scores
            ),
        )

    # ------------------------------------------------------------------ cut-off
    def leg_scores(
        self,
        q: Question,
        legs: dict[str, LegResult],
        topic: bool = False,
    ) -> dict[str, dict[int, float]]:
        """Return the scores the cut-off judges: the semantic legs', the keyword coverage.

        An English question is covered by its own words or by its Swedish ones, whichever a
        document holds more of: its Swedish words never dilute the English ones; a topic, by
        its words' narrower words too (kb.search.query.narrower), in any text a leg found."""
        out = {name: dict(leg.scores) for name, leg in legs.items() if name != "keyword"}
        if "keyword" in legs:
            groups = narrower.groups(q.text) if topic or self.params.narrower_coverage else ()
            pool = legs.values() if groups else [legs["keyword"]]
            among = {d for leg in pool for d in leg.scores}
            covered = [self.keyword.coverage(q.text, None, among=among)]  # among ⊆ allowed
            if q.groups:
                covered.append(self.keyword.coverage("", None, q.covered_groups, among))
            if groups:  # a text only the semantic legs found may name a narrower word
                covered.append(self.keyword.coverage("", None, groups, among))
            out["keyword"] = {d: max(c.get(d, 0.0) for c in covered) for d in among}
        return out

    def null_scores(self, text: str) -> dict[str, dict[int, float]]:
        """Return a question's judged scores over every document (for the calibration)."""
        legs = self.legs(text, list(self.catalog.docs), True, self.params.candidates)
        return self.leg_scores(Question(text), legs)

    def confidence(
        self, judged: dict[str, dict[int, float]]
    ) -> tuple[set[int], set[int] | None] | None:
        """Return (the documents that answer the question, those kept as results once it is).

        The first set holds the documents some leg scores clearly above noise
        (calibration.standing_out at the gates); the second, at the lower keep bars, what is
        shown once the question is answered (None: every candidate). None: no cut-off.
        """
        p = self.params
        if p.gate_z is None or self.calibration is None:
            return None
        null = self.calibration(self)
        standing = calibration.standing_out(judged, null, self.gates())
        if p.keep_z is None:
            return standing, None
        keep = {"keyword": p.keep_coverage, "dense": p.keep_z, "sparse": p.keep_z}
        return standing, standing | calibration.standing_out(judged, null, keep)

    def order(
        self,
        scores: dict[int, float],
        judged: dict[str, dict[int, float]] | None,
        request: SearchRequest,
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """Rank fused scores in the chosen order; return (hits, closest).

        When no document stands out from noise (convex), there are no hits and the few best
        documents are the closest material instead; each_hit_stands_out keeps only those
        that do (the reflections of "vad har vi lärt oss").
        """
        ordered = fusion.ranked(scores)
        asked = ordered and request.method == "convex" and request.cutoff and judged is not None
        confidence = self.confidence(judged) if asked else None
        if confidence is not None:
            standing, kept = confidence
            if not standing:
                return [], ordered[:CLOSEST]
            shown = standing if request.each_hit_stands_out else kept
            if shown is not None:
                ordered = [(d, v) for d, v in ordered if d in shown]
        if request.sort == "newest":
            dates = {d: self.catalog.docs[d].date for d, _ in ordered}
            ordered = fusion.newest_first(ordered, dates)
        return ordered, []

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
                out[doc_id] = snippets.opening(passage or texts.get(doc_id, ""))
        return out
