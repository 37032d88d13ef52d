"""What each leg scores for questions nobody's material answers: the baseline of a cut-off.

Off-topic and nonsense questions (cars, holidays, recipes, keyboard mashing, in Swedish and
English) are asked once per index; each leg's best score for them is the noise it reaches
for any question. A document is a result when some leg scores it clearly above that noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Written for this purpose; none of them is a judged question of any evaluation set.
NULL_QUERIES = (
    "väderprognos för helgen",
    "hyra lägenhet i centrum",
    "bästa pizzerian i stan",
    "fiskeregler för gädda",
    "byta däck på motorcykeln",
    "bitcoin kurs",
    "semesterresa till Thailand",
    "zxqv blorp",
    "lkjhg poiuy trewq",
    "beskära rosor i trädgården",
    "hockeyresultat igår",
    "skatteåterbäring deklaration",
    "used car prices",
    "football scores last night",
    "how to bake sourdough bread",
    "mortgage interest rates",
    "xkcd vvmm plorf",
    "kattmat och hundfoder",
    "renovera badrummet kakel",
    "flyg till Mallorca",
    "lottovinnare i helgen",
    "oljebyte på bilen",
    "wedding dress shopping",
    "cheap hotels in Paris",
    "glömd pinkod till bankkortet",
    "stickmönster för en tröja",
    "vinprovning i Bordeaux",
    "akut tandläkare på natten",
    "solpaneler på taket",
    "grillad lax med citron",
)


@dataclass(frozen=True)
class Null:
    """Mean and spread of one leg's best score over the null questions."""

    mean: float
    std: float

    def threshold(self, z: float) -> float:
        """Return the score z spreads above the noise: τ = μ + z·σ."""
        return self.mean + z * self.std

    def z(self, score: float) -> float:
        """Return how many spreads a score lies above the noise."""
        return (score - self.mean) / self.std if self.std > 0 else 0.0


def null_of(best_scores: list[float]) -> Null:
    """Summarise the best scores of the null questions (none found counts as 0)."""
    values = best_scores or [0.0]
    return Null(statistics.fmean(values), statistics.pstdev(values))


def evidence(
    scores: Mapping[str, Mapping[int, float]], null: Mapping[str, Null], cap: float
) -> dict[int, float]:
    """Sum each leg's clear excess over its noise per document.

    E(d) = Σ_l min(cap_l, max(0, (s_l(d) − μ_l) / σ_l)): legs agreeing add up, and no
    semantic leg, however spiky, counts for more than `cap` spreads (cap_l = cap); the
    keyword leg's coverage is bounded by 1 already and is not capped.
    """
    out: dict[int, float] = {}
    for leg, per_doc in scores.items():
        if leg not in null:
            continue
        for doc, score in per_doc.items():
            excess = max(0.0, null[leg].z(score))
            out[doc] = out.get(doc, 0.0) + (excess if leg == "keyword" else min(cap, excess))
    return out


def calibrate(
    scores_of: Callable[[str], Mapping[str, Mapping[int, float]]], cap: float
) -> dict[str, Null]:
    """Ask every null question; return each leg's noise and that of the evidence E.

    scores_of(q) gives {leg: {doc: score}} over every document.
    """
    answers = [scores_of(query) for query in NULL_QUERIES]
    legs = {leg for answer in answers for leg in answer}
    null = {
        leg: null_of([max(a.get(leg, {}).values(), default=0.0) for a in answers])
        for leg in sorted(legs)
    }
    null["evidence"] = null_of([max(evidence(a, null, cap).values(), default=0.0) for a in answers])
    return null
