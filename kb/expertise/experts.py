"""Who knows about X: documents vote for the people behind them, declared skills add to it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.expertise.ranked import Ranked
from kb.expertise.reasons import Reason

# How strongly a document speaks for each person connected to it.
ROLE_WEIGHTS = {"first_author": 1.0, "coauthor": 0.7, "participant": 0.8, "named": 0.4}
# The reason code for a role in a kind of document (see kb.expertise.reasons).
ROLE_REASON = {
    "first_author": "wrote_{kind}",
    "coauthor": "cowrote_{kind}",
    "participant": "took_part",
    "named": "named_{kind}",
}
# A declared skill counts this much per unit of match × level/5 ...
SKILL_WEIGHT = 1.0
# ... and this share of it when nothing the asker may open backs the person up.
UNBACKED_SKILL_SHARE = 0.5
MIN_SKILL_MATCH = 0.5


@dataclass(frozen=True)
class Evidence:
    source: str
    title: str
    kind: str
    why: str


@dataclass(frozen=True)
class SkillEvidence:
    name: str
    level: int
    why: str


@dataclass(frozen=True)
class Expert(Ranked):
    """One person who knows about the question, with what shows it."""

    evidence: tuple[Evidence, ...]
    skills: tuple[SkillEvidence, ...]


@dataclass(frozen=True)
class DocVote:
    """One document found for the question, with its score and the people behind it."""

    source: str
    title: str
    kind: str
    score: float
    people: tuple[tuple[str, str], ...]  # (person_id, role)


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
    found = set()
    for person_id, name in names.items():
        if " " in name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            found.add(person_id)
    return found


def rank_experts(
    votes: Sequence[DocVote],
    skills: Sequence[SkillMatch],
    names: Mapping[str, str],
    limit: int = 10,
) -> list[Expert]:
    """Rank people by the evidence for a question (Balog's document-centric Model 2, voting).

    score(p) = Σ_d s(d) · w(role of p in d)
             + SKILL_WEIGHT · Σ_k m(q, k) · level(k) / 5 · b(p)
    where s(d) is the document's search score for the question, w the role weight
    (ROLE_WEIGHTS), m(q, k) ∈ [0, 1] how well declared skill k matches the question
    (only m ≥ MIN_SKILL_MATCH counts), and b(p) = 1 when p has document evidence,
    UNBACKED_SKILL_SHARE otherwise: a declared skill with nothing to show counts less.
    """
    doc_score: dict[str, float] = {}
    evidence: dict[str, list[tuple[float, Evidence]]] = {}
    for vote in votes:
        kind = "reflection" if vote.kind == "reflection" else "material"
        for person, role in vote.people:
            weight = ROLE_WEIGHTS[role]
            doc_score[person] = doc_score.get(person, 0.0) + vote.score * weight
            why = Reason(ROLE_REASON[role].format(kind=kind), title=vote.title)
            evidence.setdefault(person, []).append(
                (vote.score * weight, Evidence(vote.source, vote.title, vote.kind, why))
            )
    skill_score: dict[str, float] = {}
    skill_evidence: dict[str, list[SkillEvidence]] = {}
    for s in skills:
        if s.match < MIN_SKILL_MATCH:
            continue
        backed = s.person_id in doc_score
        value = SKILL_WEIGHT * s.match * s.level / 5 * (1.0 if backed else UNBACKED_SKILL_SHARE)
        skill_score[s.person_id] = skill_score.get(s.person_id, 0.0) + value
        code = "declared_skill" if backed else "declared_skill_unbacked"
        why = Reason(code, name=s.name, level=s.level)
        skill_evidence.setdefault(s.person_id, []).append(SkillEvidence(s.name, s.level, why))
    people = (doc_score.keys() | skill_score.keys()) & names.keys()
    ranked = sorted(people, key=lambda p: (-(doc_score.get(p, 0) + skill_score.get(p, 0)), p))
    out = []
    for person in ranked[:limit]:
        docs = [e for _, e in sorted(evidence.get(person, []), key=lambda x: -x[0])]
        out.append(
            Expert(
                person_id=person,
                name=names[person],
                score=round(doc_score.get(person, 0.0) + skill_score.get(person, 0.0), 4),
                evidence=tuple(docs),
                skills=tuple(skill_evidence.get(person, ())),
            )
        )
    return out
