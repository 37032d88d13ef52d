"""What a search is asked and what it answers, and the parameters of the hybrid search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb.access import Viewer
from kb.catalog import Filters

SORTS = ("relevance", "newest")  # the orders a search can be shown in; the first is the default


@dataclass(frozen=True)
class SearchRequest:
    text: str
    viewer: Viewer
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    offset: int = 0
    method: str = "convex"
    sort: str = SORTS[0]
    # False: every hit the legs find, however close to noise (the closest material of a gap).
    cutoff: bool = True
    # True: every hit must stand out from noise by itself, not only the question's best.
    each_hit_stands_out: bool = False
    # True: the text is a topic ("läsning"), and a text naming a narrower word of it
    # ("boksamtal") is about it too (kb.search.query.narrower).
    topic: bool = False


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
    # "Menade du …?": the question with unknown words replaced by the viewer's own words.
    suggestion: str | None = None
    # Facet values the question names itself ("åk 5" -> grade 4-6): offered as filters.
    named: tuple[tuple[str, str], ...] = ()
    # No confident answer: the material nearest the question, shown apart from the hits.
    closest: tuple[SearchHit, ...] = ()


@dataclass(frozen=True)
class SearchParams:
    weights: Mapping[str, float] = field(
        default_factory=lambda: {"keyword": 0.3, "dense": 0.3, "sparse": 0.4}
    )
    rrf_k: int = 60
    candidates: int = 50
    learned_boost: float = 1.35
    # A question is answered when its best document holds gate_coverage of its words, or the
    # dense (sparse) leg's best lies gate_z (gate_sparse_z) spreads above what off-topic
    # questions reach (kb.search.query.calibration.answered). None: no cut-off. Otherwise the
    # closest documents are offered apart from the hits.
    gate_z: float | None = 2.0
    gate_sparse_z: float = 3.0
    gate_coverage: float = 0.5
    # Once answered, a document is a result when a semantic leg scores it keep_z spreads above
    # the noise or it holds keep_coverage of the question's words (None: every candidate the
    # legs found). Measured and not shipped (docs/search.md): +0.002 on the test half, and it
    # cut relevant Swedish answers to English questions (sample set crosslingual 0.79 -> 0.61).
    keep_z: float | None = None
    # Weigh each leg per question by how far its best document stands above the noise
    # (fusion.confident_weights, at the gates above).
    leg_confidence: bool = False
    # How each leg's scores are put on one scale before the weights: "min_max" or "standardised".
    scale: str = "min_max"
    keep_coverage: float = 0.25
    # Correct words no allowed document holds to the closest word one does.
    spelling: bool = True
    # ... a word of the Swedish dictionary only to another form of itself (same stem). Measured
    # in the third round and off: no change on the test half (docs/search.md).
    spelling_keeps_words: bool = False
    # Documents holding every word of a question whose words were corrected come first.
    corrected_complete_first: bool = False
    # The narrower words of a question's words (kb.search.query.narrower) count as that word for
    # the keyword coverage the confidence reads, for every question (a topic: always). Measured
    # in the third round: no change on either half, so off for the search page.
    narrower_coverage: bool = False
    # Synonyms from the thesaurus join the keyword query at this weight (the user's words: 1).
    thesaurus_weight: float = 0.0
    # Multiply the documents carrying a facet value the question names (1.0: no boost).
    facet_boost: float = 1.0
    # English questions gain their Swedish words (kb.search.query.translate) in every leg.
    translate: bool = True
    # Subtract each language's mean similarity so a question's own language gets no head start.
    language_priors: bool = True
    # Chunks' worth of the collection's prior mixed into each language's (0: none).
    prior_shrink: float = 0.0
