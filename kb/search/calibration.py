"""What each leg scores for questions nobody's material answers: the baseline of a cut-off.

Off-topic and nonsense questions (cars, holidays, recipes, keyboard mashing, in Swedish and
English) are asked once per index; each leg's best score for them is the noise it reaches
for any question. A question is answered when some leg's best document stands clearly above it.
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


def standing_out(
    scores: Mapping[str, Mapping[int, float]], null: Mapping[str, Null], gates: Mapping[str, float]
) -> set[int]:
    """Return the documents some leg scores clearly above noise.

    d stands out ⇔ c(d) ≥ g_keyword  ∨  ∃ l ∈ {dense, sparse}: (s_l(d) − μ_l) / σ_l ≥ g_l,
    where c(d) is d's keyword coverage (the idf-weighted share of the question's words it
    holds, already on a scale of its own), s_l(d) the score of semantic leg l and μ_l, σ_l
    that leg's best scores over the null questions asked of this installation's own index.
    One leg suffices: a paraphrase shares few words and an English question none, yet its
    latent terms stand out; a one-word query has no sentence to embed, yet its word is there.
    A question is answered when any document stands out. The gates are chosen on the tuning
    half of the judged set (docs/search.md).
    """
    out: set[int] = set()
    for leg, gate in gates.items():
        per_doc = scores.get(leg, {})
        if leg == "keyword":
            out |= {d for d, c in per_doc.items() if c >= gate}
        elif leg in null:
            out |= {d for d, s in per_doc.items() if null[leg].z(s) >= gate}
    return out


def tops(scores: Mapping[str, Mapping[int, float]], null: Mapping[str, Null]) -> dict[str, float]:
    """Return each leg's best standardised score: t_keyword = max c(d), t_l = max z_l(d)."""
    return {
        leg: max((s if leg == "keyword" else null[leg].z(s) for s in per_doc.values()), default=0.0)
        for leg, per_doc in scores.items()
        if leg == "keyword" or leg in null
    }


def calibrate(scores_of: Callable[[str], Mapping[str, Mapping[int, float]]]) -> dict[str, Null]:
    """Ask every null question; return each leg's noise.

    scores_of(q) gives {leg: {doc: score}} over every document.
    """
    answers = [scores_of(query) for query in NULL_QUERIES]
    legs = {leg for answer in answers for leg in answer}
    return {
        leg: null_of([max(a.get(leg, {}).values(), default=0.0) for a in answers])
        for leg in sorted(legs)
    }
