"""Fusion of the keyword and semantic legs: pure functions over {id: score} maps."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

Scores = Mapping[Hashable, float]


def min_max(scores: Scores) -> dict[Hashable, float]:
    """Rescale scores to [0, 1] per query.

    n(s) = (s - min) / (max - min); when every score is equal (or there is one), each gets 1.0,
    so a leg that found a single candidate still counts fully for it.
    """
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {k: (v - lo) / (hi - lo) for k, v in scores.items()}


def standardised(scores: Scores) -> dict[Hashable, float]:
    """Rescale scores to spreads above their own mean per query, the worst candidate at 0.

    n(s) = (s − μ) / σ − (min − μ) / σ = (s − min) / σ over the leg's candidates; a leg whose
    best stands far above the rest weighs more than one whose candidates are all alike.
    """
    if not scores:
        return {}
    values = list(scores.values())
    lo = min(values)
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    if spread <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {k: (v - lo) / spread for k, v in scores.items()}


def weighted(
    legs: Mapping[str, Scores],
    weights: Mapping[str, float],
    unreachable: Mapping[str, Collection[Hashable]] | None = None,
    scale=min_max,
) -> dict[Hashable, float]:
    """Combine any number of legs convexly, each leg min-max scaled per query.

    f(d) = Σ_{l ∈ L(d)} w_l · n_l(d) / Σ_{l ∈ L(d)} w_l
    over the union of the legs' candidates, where n_l is the min-max scaling of leg l,
    n_l(d) = 0 when leg l did not return d, and L(d) holds the legs that could have found d:
    every leg with a weight, minus those for which d is in `unreachable[l]` (a keyword leg
    cannot match a text in another language than the question). With every leg reachable the
    denominator is Σ w_l, so weights summing to 1 give the plain convex combination.
    """
    unreachable = unreachable or {}
    active = {leg: w for leg, w in weights.items() if w > 0 and leg in legs}
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    scaled = {leg: scale(legs[leg]) for leg in active}
    blocked = {leg: set(unreachable.get(leg, ())) for leg in active}
    fused: dict[Hashable, float] = {}
    for doc in set().union(*(s.keys() for s in scaled.values())) if scaled else ():
        reach = [leg for leg in active if doc not in blocked[leg]]
        total = sum(active[leg] for leg in reach)
        if total > 0:
            fused[doc] = sum(active[leg] * scaled[leg].get(doc, 0.0) for leg in reach) / total
    return fused


def confident_weights(
    weights: Mapping[str, float], tops: Mapping[str, float], gates: Mapping[str, float]
) -> dict[str, float]:
    """Weigh each leg by how far its best document stands above noise for this question.

    w'_l = w_l · min(1, max(0, t_l) / g_l), where t_l is leg l's best standardised score
    (keyword coverage; a semantic leg's z over the null questions) and g_l the gate at which
    that leg alone answers a question. A leg that answers by itself keeps its weight; one whose
    best lies at the noise adds its noise to nobody's rank. When no leg reaches anything above
    the noise the weights stay as they were (the order is then only the closest material).
    """
    scaled = {
        leg: w * min(1.0, max(0.0, tops.get(leg, 0.0)) / gates[leg]) if gates.get(leg) else w
        for leg, w in weights.items()
    }
    return scaled if any(v > 0 for v in scaled.values()) else dict(weights)


def rrf(rankings: Sequence[Sequence[Hashable]], k: int = 60) -> dict[Hashable, float]:
    """Reciprocal rank fusion: f(d) = sum over rankings r of 1 / (k + rank_r(d)), rank from 1."""
    fused: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


def boost(scores: Scores, factor_of: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Multiply some scores by a factor: f(d) = s(d) * factor_of.get(d, 1)."""
    return {d: s * factor_of.get(d, 1.0) for d, s in scores.items()}


def ranked(scores: Scores) -> list[tuple[Hashable, float]]:
    """Sort best first; ties broken by id so the order is stable."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))


def whole(coverage: Scores) -> set[Hashable]:
    """Return the documents holding every word of the question: {d : c(d) = 1}."""
    return {d for d, c in coverage.items() if c >= 1.0 - 1e-9}


def first(
    ordered: Sequence[tuple[Hashable, float]], chosen: Collection[Hashable]
) -> list[tuple[Hashable, float]]:
    """Move the chosen documents before the others, each part in its own order.

    key(d) = (d ∉ chosen, rank(d)): a stable partition; the scores are left as they were.
    """
    return [item for item in ordered if item[0] in chosen] + [
        item for item in ordered if item[0] not in chosen
    ]


def newest_first(
    ordered: Sequence[tuple[Hashable, float]], dates: Mapping[Hashable, object]
) -> list[tuple[Hashable, float]]:
    """Order ranked hits by date, newest first; undated hits last, ties by relevance.

    key(d) = (d has no date, -ordinal(date(d)), rank(d)): a stable sort, so hits of one day
    keep their fused order and the score itself is left as it was.
    """
    rank = {d: i for i, (d, _) in enumerate(ordered)}

    def key(item):
        day = dates.get(item[0])
        return (day is None, -day.toordinal() if day is not None else 0, rank[item[0]])

    return sorted(ordered, key=key)


def shrink_priors(
    priors: Mapping[str, float], counts: Mapping[str, int], k: float
) -> dict[str, float]:
    """Pull each language's prior towards the collection's, the more the fewer its chunks.

    p'_L = (n_L·p_L + k·p̄) / (n_L + k), p̄ = Σ n_L·p_L / Σ n_L the chunk-weighted mean prior
    and n_L the chunks in language L; k = 0 leaves the priors as they are.
    """
    total = sum(counts.get(lang, 0) for lang in priors)
    if k <= 0 or not total:
        return dict(priors)
    overall = sum(p * counts.get(lang, 0) for lang, p in priors.items()) / total
    return {
        lang: (counts.get(lang, 0) * p + k * overall) / (counts.get(lang, 0) + k)
        for lang, p in priors.items()
    }
