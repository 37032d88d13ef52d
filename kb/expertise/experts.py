"""Who knows about X: evidence about the question votes for the people behind it; declared
skills on the question add to it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from kb.expertise.ranked import Ranked
from kb.expertise.reasons import Reason

# How strongly a document speaks for each person connected to it.
ROLE_WEIGHTS = {"first_author": 1.0, "coauthor": 0.7, "participant": 0.6, "named": 0.4}
# The reason code for a role in a kind of document (see kb.expertise.reasons).
ROLE_REASON = {
    "first_author": "wrote_{kind}",
    "coauthor": "cowrote_{kind}",
    "participant": "took_part",
    "named": "named_{kind}",
}
# A declared skill counts this much at a full match and level 5 ...
SKILL_WEIGHT = 1.0
# ... and this share of it when nothing the asker may open backs the person up.
UNBACKED_SKILL_SHARE = 0.5
MIN_SKILL_MATCH = 0.5
# Evidence loses half its weight over this many years, down to half of it.
HALF_LIFE_YEARS = 3.0
UNDATED_RECENCY = 0.5


@dataclass(frozen=True)
class Evidence:
    source: str
    title: str
    kind: str
    why: Reason  # the person's part in it
    about: Reason | None  # why it is about the question
    relevance: float


@dataclass(frozen=True)
class SkillEvidence:
    name: str
    level: int
    why: Reason
    match: float


@dataclass(frozen=True)
class Expert(Ranked):
    """One person who knows about the question, with what shows it."""

    strength: float  # score / the best score listed, for the bar
    evidence: tuple[Evidence, ...]
    skills: tuple[SkillEvidence, ...]


@dataclass(frozen=True)
class DocVote:
    """One document about the question: how much, how recent, why, and the people behind it."""

    source: str
    title: str
    kind: str
    relevance: float
    people: tuple[tuple[str, str], ...]  # (person_id, role)
    recency: float = 1.0
    about: Reason | None = None


@dataclass(frozen=True)
class SkillMatch:
    person_id: str
    name: str
    level: int
    match: float


def roles_in(kind: str, authors: Sequence[str], named: Iterable[str]) -> list[tuple[str, str]]:
    """Return (person, role) for a document: first author, co-authors or participants, named."""
    out: list[tuple[str, str]] = []
    for i, person in enumerate(authors):
        if kind == "reflection":
            out.append((person, "first_author" if i == 0 else "participant"))
        else:
            out.append((person, "first_author" if i == 0 else "coauthor"))
    listed = set(authors)
    out.extend((p, "named") for p in sorted(set(named)) if p not in listed)
    return out


def named_people(text: str, names: Mapping[str, str]) -> set[str]:
    """Return the ids of people whose full name appears in the text."""
    pattern, ids = _name_pattern(tuple(sorted(names.items())))
    if pattern is None:
        return set()
    return {pid for name in set(pattern.findall(text)) for pid in ids[name]}


@lru_cache(maxsize=8)
def _name_pattern(names: tuple[tuple[str, str], ...]):
    """One pattern for every full name (longest first), and the ids each name belongs to."""
    ids: dict[str, list[str]] = {}
    for person_id, name in names:
        if " " in name:
            ids.setdefault(name, []).append(person_id)
    if not ids:
        return None, ids
    spelled = "|".join(re.escape(n) for n in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{spelled})(?!\w)"), ids


def recency(when: date | None, today: date) -> float:
    """rec(d) = ½ + ½·2^(−age / HALF_LIFE_YEARS); UNDATED_RECENCY without a date."""
    if when is None:
        return UNDATED_RECENCY
    age = max(0.0, (today - when).days / 365.25)
    return 0.5 + 0.5 * 2 ** (-age / HALF_LIFE_YEARS)


def declared(
    skills: Sequence[SkillMatch], backed: Iterable[str]
) -> tuple[dict[str, float], dict[str, list[SkillEvidence]]]:
    """Return K(p) = max_k m(q, k)·level(k)/5 over matching skills, and each one's evidence."""
    backed = set(backed)
    score: dict[str, float] = {}
    evidence: dict[str, list[SkillEvidence]] = {}
    for s in sorted(skills, key=lambda s: -s.match * s.level):
        if s.match < MIN_SKILL_MATCH:
            continue
        score[s.person_id] = max(score.get(s.person_id, 0.0), s.match * s.level / 5)
        code = "declared_skill" if s.person_id in backed else "declared_skill_unbacked"
        why = Reason(code, name=s.name, level=s.level)
        evidence.setdefault(s.person_id, []).append(
            SkillEvidence(s.name, s.level, why, round(s.match, 3))
        )
    return score, evidence


def rank_experts(
    votes: Sequence[DocVote],
    skills: Sequence[SkillMatch],
    names: Mapping[str, str],
    limit: int = 10,
) -> list[Expert]:
    """Rank people by the evidence about a question (Balog's document-centric model, voting).

    D(p) = Σ_d r(q, d) · w(role of p in d) · rec(d)      over documents with r(q, d) > 0
    K(p) = max_k m(q, k) · level(k) / 5                   over p's skills with m ≥ MIN_SKILL_MATCH
    score(p) = (1 − e^(−D(p))) + SKILL_WEIGHT · K(p) · b(p)

    r(q, d) ∈ [0, 1] is how much the document is about the question (kb.expertise.relevance;
    0 = not evidence), w the role weight (ROLE_WEIGHTS), rec the recency, m(q, k) ∈ [0, 1] how
    well declared skill k matches the question, b(p) = 1 when p has evidence, else
    UNBACKED_SKILL_SHARE. 1 − e^(−D) grows with the amount of evidence but saturates, so ten
    passing documents never outweigh a declared level 5 backed by two. Only people with
    evidence or a matching skill are listed.
    """
    doc_score: dict[str, float] = {}
    evidence: dict[str, list[tuple[float, Evidence]]] = {}
    for vote in votes:
        if vote.relevance <= 0:
            continue
        kind = "reflection" if vote.kind == "reflection" else "material"
        for person, role in vote.people:
            value = vote.relevance * ROLE_WEIGHTS[role] * vote.recency
            doc_score[person] = doc_score.get(person, 0.0) + value
            why = Reason(ROLE_REASON[role].format(kind=kind))
            item = Evidence(vote.source, vote.title, vote.kind, why, vote.about, vote.relevance)
            evidence.setdefault(person, []).append((value, item))
    skill_score, skill_evidence = declared(skills, doc_score.keys())

    def score(p: str) -> float:
        share = 1.0 if p in doc_score else UNBACKED_SKILL_SHARE
        docs = 1 - math.exp(-doc_score.get(p, 0.0))
        return docs + SKILL_WEIGHT * skill_score.get(p, 0.0) * share

    people = (doc_score.keys() | skill_score.keys()) & names.keys()
    ranked = sorted(people, key=lambda p: (-score(p), p))[:limit]
    best = score(ranked[0]) if ranked else 1.0
    return [
        Expert(
            person_id=p,
            name=names[p],
            score=round(score(p), 4),
            strength=round(score(p) / best, 3) if best else 0.0,
            evidence=tuple(e for _, e in sorted(evidence.get(p, []), key=lambda x: -x[0])),
            skills=tuple(skill_evidence.get(p, ())),
        )
        for p in ranked
    ]
