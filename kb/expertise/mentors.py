"""A mentor for a new colleague: willing, with room, not new, and a good fit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kb.expertise.ranked import Ranked
from kb.expertise.reasons import Reason

# Fit weights: teaching the same subjects matters most, then the same school and stage.
W_SUBJECT = 1.5
MAX_SUBJECTS = 2
W_UNIT = 1.0
W_GRADES = 1.0
W_STAGE = 0.5
W_EVIDENCE = 0.25
MAX_EVIDENCE = 1.0
W_MENTORING = 0.5
W_EXPERIENCE = 0.5
EXPERIENCED_YEARS = 5


@dataclass(frozen=True)
class Colleague:
    """What mentor matching needs to know of one person."""

    id: str
    name: str
    unit: str | None
    subjects: tuple[str, ...]
    grades: tuple[str, ...]
    started: date | None
    mentor: bool
    mentor_capacity: int | None
    mentees: int
    newcomer_mark: bool | None
    skills: tuple[str, ...]
    # Documents authored per subject, from material the asker may open.
    evidence_by_subject: Mapping[str, int]


@dataclass(frozen=True)
class MentorSuggestion(Ranked):
    """A colleague who would mentor the newcomer well, with the reasons."""

    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MentorMatch:
    newcomer_id: str
    newcomer_name: str
    mentor_id: str | None
    mentor_name: str | None
    reasons: tuple[str, ...]


def is_newcomer(person: Colleague, today: date, months: int) -> bool:
    """Tell whether someone is new: marked so, or started within the last `months` months."""
    if person.newcomer_mark is not None:
        return person.newcomer_mark
    if person.started is None:
        return False
    elapsed = (today.year - person.started.year) * 12 + today.month - person.started.month
    return 0 <= elapsed - (1 if today.day < person.started.day else 0) < months


def stage(grade: str) -> str:
    """Map a grade band to its school stage: förskola, grundskola or gymnasium."""
    g = grade.strip().lower()
    if "gymn" in g:
        return "gymnasium"
    if g.startswith(("förskola", "forskola")):
        return "förskola"
    return "grundskola"


def capacity_left(person: Colleague) -> int:
    """Return how many more mentees someone can take (an unset capacity means one)."""
    capacity = 1 if person.mentor_capacity is None else person.mentor_capacity
    return max(0, capacity - person.mentees)


def eligibility(candidate: Colleague, newcomer: Colleague, today: date, months: int) -> str | None:
    """Return why a candidate cannot mentor this newcomer, or None when they can."""
    if candidate.id == newcomer.id:
        return "is the newcomer"
    if not candidate.mentor:
        return "has not offered to mentor"
    if capacity_left(candidate) <= 0:
        return "has no mentoring capacity left"
    if is_newcomer(candidate, today, months):
        return "is new here too"
    return None


def fit(candidate: Colleague, newcomer: Colleague, today: date) -> tuple[float, list[Reason]]:
    """Score how well a candidate fits a newcomer, with the reasons a person can read.

    fit = W_SUBJECT·min(shared subjects, MAX_SUBJECTS) + W_UNIT·[same unit]
        + W_GRADES·[shared grade band] (else W_STAGE·[same school stage])
        + min(W_EVIDENCE·documents in the newcomer's subjects, MAX_EVIDENCE)
        + W_MENTORING·[declares mentoring skill] + W_EXPERIENCE·[≥ EXPERIENCED_YEARS here]
    """
    score, reasons = 0.0, []
    mine = {s.casefold(): s for s in newcomer.subjects}
    shared = [mine[s.casefold()] for s in candidate.subjects if s.casefold() in mine]
    if shared:
        score += W_SUBJECT * min(len(shared), MAX_SUBJECTS)
        reasons.append(Reason("same_subjects", subjects=", ".join(shared)))
    if candidate.unit and candidate.unit == newcomer.unit:
        score += W_UNIT
        reasons.append(Reason("same_unit", unit=candidate.unit))
    grades = sorted(set(candidate.grades) & set(newcomer.grades))
    if grades:
        score += W_GRADES
        reasons.append(Reason("same_grades", grades=", ".join(grades)))
    elif {stage(g) for g in candidate.grades} & {stage(g) for g in newcomer.grades}:
        score += W_STAGE
        reasons.append(Reason("same_stage"))
    docs = sum(n for s, n in candidate.evidence_by_subject.items() if s.casefold() in mine)
    if docs:
        score += min(W_EVIDENCE * docs, MAX_EVIDENCE)
        reasons.append(Reason("shared_documents", num=docs))
    if any("mentor" in s.casefold() for s in candidate.skills):
        score += W_MENTORING
        reasons.append(Reason("mentoring_experience"))
    if candidate.started and (today - candidate.started).days >= EXPERIENCED_YEARS * 365:
        score += W_EXPERIENCE
        reasons.append(Reason("since", year=candidate.started.year))
    left = capacity_left(candidate)
    reasons.append(Reason("room", num=left))
    return score, reasons


def suggest_mentors(
    newcomer: Colleague, people: Sequence[Colleague], today: date, months: int, limit: int = 5
) -> list[MentorSuggestion]:
    """Return the eligible mentors for one newcomer, best fit first."""
    scored = []
    for candidate in people:
        if eligibility(candidate, newcomer, today, months) is not None:
            continue
        score, reasons = fit(candidate, newcomer, today)
        scored.append(
            MentorSuggestion(candidate.id, candidate.name, round(score, 3), tuple(reasons))
        )
    scored.sort(key=lambda s: (-s.score, s.person_id))
    return scored[:limit]


def match_all(
    newcomers: Sequence[Colleague], people: Sequence[Colleague], today: date, months: int
) -> list[MentorMatch]:
    """Assign mentors to every newcomer at once, respecting every mentor's capacity.

    Each mentor with c places left becomes c slots; the Hungarian method
    (scipy.optimize.linear_sum_assignment) maximises the total fit over newcomers × slots.
    A newcomer left without an eligible slot gets no mentor, and says so.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    slots: list[Colleague] = []
    for person in people:
        if person.mentor and not is_newcomer(person, today, months):
            slots.extend([person] * capacity_left(person))
    if not newcomers:
        return []
    forbidden = -1e6
    cost = np.zeros((len(newcomers), max(1, len(slots))))
    fits: dict[tuple[int, int], list[str]] = {}
    for i, newcomer in enumerate(newcomers):
        for j, slot in enumerate(slots):
            if eligibility(slot, newcomer, today, months) is not None:
                cost[i, j] = -forbidden
                continue
            score, reasons = fit(slot, newcomer, today)
            cost[i, j] = -score
            fits[(i, j)] = reasons
        if not slots:
            cost[i, 0] = -forbidden
    rows, cols = linear_sum_assignment(cost)
    chosen = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    out = []
    for i, newcomer in enumerate(newcomers):
        j = chosen.get(i)
        if j is None or (i, j) not in fits:
            out.append(MentorMatch(newcomer.id, newcomer.name, None, None, (Reason("no_mentor"),)))
        else:
            out.append(
                MentorMatch(
                    newcomer.id, newcomer.name, slots[j].id, slots[j].name, tuple(fits[(i, j)])
                )
            )
    return out
