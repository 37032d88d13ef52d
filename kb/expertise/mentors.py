"""A mentor for a new colleague: willing, with room, not new, near at hand, and a good fit.

The policy, in order:
1. Only someone who has offered to mentor (`mentor: true`), has room left (capacity minus the
   mentorships already running), is not new here, has not left, and is not the newcomer.
2. The newcomer's own unit (school or library) first. Someone from another unit is suggested
   only when nobody in the newcomer's unit *fits* — teaches a subject the newcomer teaches, or
   does the same kind of job (a speciallärare for a speciallärare) — and is marked as such.
   A colleague from another unit who does not fit is never suggested.
3. Within that, by fit (see `fit`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kb.expertise.ranked import Ranked
from kb.expertise.reasons import Reason

# Fit weights: teaching the same subjects matters most, then the same stage and job.
W_SUBJECT = 1.5
MAX_SUBJECTS = 2
W_ROLE = 1.5
W_STAGE = 2.0
W_EVIDENCE = 0.25
MAX_EVIDENCE = 1.0
W_MENTORING = 0.5
W_EXPERIENCE = 0.5
EXPERIENCED_YEARS = 5
# A fitting colleague in the newcomer's own unit comes before anyone else, whatever the fit.
TIER_WEIGHT = 10.0

# The school stages, youngest first; "bibliotek" for a library's staff.
STAGES = ("förskola", "förskoleklass", "F-3", "4-6", "7-9", "gymnasium", "bibliotek")
# Umbrella subjects: a teacher of SO teaches geografi, and so on.
SUBJECT_GROUPS = {
    "so": ("geografi", "historia", "samhällskunskap", "religionskunskap"),
    "no": ("biologi", "fysik", "kemi"),
}
# Kinds of job a newcomer is best mentored within (matched in the role's text).
ROLES = {
    "speciallärare": ("speciallärare", "specialpedagog"),
    "bibliotekarie": ("bibliotekarie",),
    "studiehandledare": ("studiehandledare",),
    "fritidspedagog": ("fritidshem", "fritidspedagog"),
    "förskollärare": ("förskollärare",),
}


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
    role: str | None = None
    left: date | None = None
    mentor_of: tuple[str, ...] = ()
    mentored_by: str | None = None


@dataclass(frozen=True)
class MentorSuggestion(Ranked):
    """A colleague who would mentor the newcomer well, with the reasons."""

    reasons: tuple[str, ...]
    other_unit: bool = False


@dataclass(frozen=True)
class MentorMatch:
    newcomer_id: str
    newcomer_name: str
    mentor_id: str | None
    mentor_name: str | None
    reasons: tuple[str, ...]
    running: bool = False


def started_recently(started: date | None, mark: bool | None, today: date, months: int) -> bool:
    """Tell whether someone is new: marked so, or started within the last `months` months."""
    if mark is not None:
        return mark
    if started is None:
        return False
    elapsed = (today.year - started.year) * 12 + today.month - started.month
    return 0 <= elapsed - (1 if today.day < started.day else 0) < months


def is_newcomer(person: Colleague, today: date, months: int) -> bool:
    """Tell whether a colleague is new (see started_recently)."""
    return started_recently(person.started, person.newcomer_mark, today, months)


def grade_stages(grade: str) -> set[str]:
    """Map one grade value ("F-3", "åk 8", "gymnasiet", "F-9") to the school stages it spans."""
    g = grade.strip().lower().replace("–", "-").replace("åk", "").strip()
    if "gymn" in g:
        return {"gymnasium"}
    if g.startswith(("förskoleklass", "fklass", "f-klass")) or g in ("f", "fk"):
        return {"förskoleklass"}
    if g.startswith(("förskola", "forskola")):
        return {"förskola"}
    if "bibliotek" in g:
        return {"bibliotek"}
    numbers = [int(n) for n in re.findall(r"\d+", g)]
    if g.startswith("f"):
        numbers = [0, *numbers]
    if not numbers:
        return set()
    lo, hi = min(numbers), max(numbers)
    bands = {"förskoleklass": (0, 0), "F-3": (1, 3), "4-6": (4, 6), "7-9": (7, 9)}
    out = {name for name, (a, b) in bands.items() if lo <= b and hi >= a}
    if lo == 0 and hi >= 1:
        out.discard("förskoleklass")  # "F-3" and "F-9" name the band, not förskoleklass alone
    return out


def stages_of(person: Colleague) -> set[str]:
    """Return the school stages someone works in: from grades, else a library's staff."""
    out = set().union(*(grade_stages(g) for g in person.grades)) if person.grades else set()
    if not out and (
        "bibliotek" in (person.unit or "").casefold() or role_of(person) == "bibliotekarie"
    ):
        out.add("bibliotek")
    return out


def role_of(person: Colleague) -> str | None:
    """Return the kind of job someone's role names (ROLES), None for a plain teacher."""
    text = (person.role or "").casefold()
    return next((k for k, words in ROLES.items() if any(w in text for w in words)), None)


def _covers(a: str, b: str) -> bool:
    """Tell whether teaching subject a means teaching subject b (the same, or an umbrella)."""
    a, b = a.casefold(), b.casefold()
    return a == b or b in SUBJECT_GROUPS.get(a, ()) or a in SUBJECT_GROUPS.get(b, ())


def shared_subjects(candidate: Colleague, newcomer: Colleague) -> list[str]:
    """Return the newcomer's subjects the candidate teaches too (SO covers geografi, ...)."""
    exact = {t.casefold() for t in candidate.subjects} & {s.casefold() for s in newcomer.subjects}
    shown = []
    for s in newcomer.subjects:
        theirs = [t for t in candidate.subjects if _covers(t, s)]
        if s.casefold() in exact:
            shown.append(s)
        elif theirs and theirs[0].casefold() not in exact:  # "NO" said once, not "NO (kemi)"
            shown.append(f"{theirs[0]} ({s})")
    return shown


def subject_overlap(candidate: Colleague, newcomer: Colleague) -> float:
    """Count the candidate's subjects that the newcomer teaches: 1 each when the same, ½ for
    an umbrella over one of them or one under it (SO for geografi): a class teacher's NO is
    not a chemistry teacher's kemi."""
    total = 0.0
    for t in candidate.subjects:
        if any(t.casefold() == s.casefold() for s in newcomer.subjects):
            total += 1.0
        elif any(_covers(t, s) for s in newcomer.subjects):
            total += 0.5
    return total


def fits(candidate: Colleague, newcomer: Colleague) -> bool:
    """Tell whether a candidate teaches a subject of the newcomer's or does the same job."""
    same_role = role_of(newcomer) is not None and role_of(candidate) == role_of(newcomer)
    return bool(shared_subjects(candidate, newcomer)) or same_role


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
    if candidate.left is not None and candidate.left <= today:
        return "has left"
    if capacity_left(candidate) <= 0:
        return "has no mentoring capacity left"
    if is_newcomer(candidate, today, months):
        return "is new here too"
    return None


def fit(candidate: Colleague, newcomer: Colleague, today: date) -> tuple[float, list[Reason]]:
    """Score how well a candidate fits a newcomer, with the reasons a person can read.

    fit = W_SUBJECT·min(subject_overlap, MAX_SUBJECTS) + W_ROLE·[same kind of job]
        + W_STAGE·[a school stage in common]
        + min(W_EVIDENCE·documents in the newcomer's subjects, MAX_EVIDENCE)
        + W_MENTORING·[declares a mentoring skill or mentors someone now]
        + W_EXPERIENCE·[≥ EXPERIENCED_YEARS here]
    Every reason is a true statement about the two people, made from the same data.
    """
    score, reasons = 0.0, []
    shared = shared_subjects(candidate, newcomer)
    if shared:
        score += W_SUBJECT * min(subject_overlap(candidate, newcomer), MAX_SUBJECTS)
        reasons.append(Reason("same_subjects", subjects=", ".join(shared)))
    role = role_of(candidate)
    if role is not None and role == role_of(newcomer):
        score += W_ROLE
        reasons.append(Reason("same_role", role=role))
    if candidate.unit and candidate.unit == newcomer.unit:
        reasons.append(Reason("same_unit", unit=candidate.unit))
    elif candidate.unit:
        reasons.append(Reason("other_unit", unit=candidate.unit))
    common = [s for s in STAGES if s in stages_of(candidate) & stages_of(newcomer)]
    if common:
        score += W_STAGE
        reasons.append(Reason("same_stage", stage=", ".join(common)))
    mine = {s.casefold() for s in newcomer.subjects}
    docs = sum(n for s, n in candidate.evidence_by_subject.items() if s.casefold() in mine)
    if docs:
        score += min(W_EVIDENCE * docs, MAX_EVIDENCE)
        reasons.append(Reason("shared_documents", num=docs))
    if candidate.mentees:
        score += W_MENTORING
        reasons.append(Reason("mentors_now", num=candidate.mentees))
    elif any("mentor" in s.casefold() for s in candidate.skills):
        score += W_MENTORING
        reasons.append(Reason("mentoring_experience"))
    if candidate.started and (today - candidate.started).days >= EXPERIENCED_YEARS * 365:
        score += W_EXPERIENCE
        reasons.append(Reason("since", year=candidate.started.year))
    reasons.append(Reason("room", num=capacity_left(candidate)))
    return score, reasons


def tier(candidate: Colleague, newcomer: Colleague, unit_has_fit: bool) -> int | None:
    """Return the policy tier: 2 same unit and fits, 1 same unit, 1 another unit that fits when
    nobody in the newcomer's unit fits, None never (another unit, or nobody's unit known)."""
    same_unit = bool(candidate.unit) and candidate.unit == newcomer.unit
    if same_unit:
        return 2 if fits(candidate, newcomer) else 1
    if not unit_has_fit and fits(candidate, newcomer):
        return 1
    return None


def ranked_candidates(
    newcomer: Colleague, people: Sequence[Colleague], today: date, months: int
) -> list[MentorSuggestion]:
    """Return every eligible candidate the policy allows, scored TIER_WEIGHT·tier + fit."""
    eligible = [p for p in people if eligibility(p, newcomer, today, months) is None]
    unit_has_fit = any(p.unit == newcomer.unit and fits(p, newcomer) for p in eligible)
    out = []
    for candidate in eligible:
        level = tier(candidate, newcomer, unit_has_fit)
        if level is None:
            continue
        score, reasons = fit(candidate, newcomer, today)
        out.append(
            MentorSuggestion(
                candidate.id,
                candidate.name,
                round(TIER_WEIGHT * level + score, 3),
                tuple(reasons),
                other_unit=candidate.unit != newcomer.unit,
            )
        )
    out.sort(key=lambda s: (-s.score, s.person_id))
    return out


def suggest_mentors(
    newcomer: Colleague, people: Sequence[Colleague], today: date, months: int, limit: int = 5
) -> list[MentorSuggestion]:
    """Return the mentors the policy allows for one newcomer, best first."""
    return ranked_candidates(newcomer, people, today, months)[:limit]


def match_all(
    newcomers: Sequence[Colleague], people: Sequence[Colleague], today: date, months: int
) -> list[MentorMatch]:
    """Give every newcomer without a mentor one, respecting the policy and every capacity.

    Each mentor with c places left becomes c slots; the Hungarian method
    (scipy.optimize.linear_sum_assignment) maximises the total score (TIER_WEIGHT·tier + fit)
    over newcomers × slots, pairs the policy rules out forbidden. A newcomer who already has a
    mentor keeps them (shown as running); one left without an allowed slot gets no mentor.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    by_id = {p.id: p for p in people}
    running = [n for n in newcomers if n.mentored_by in by_id]
    open_ = [n for n in newcomers if n.mentored_by not in by_id]
    out = {
        n.id: MentorMatch(
            n.id, n.name, n.mentored_by, by_id[n.mentored_by].name, (Reason("running"),), True
        )
        for n in running
    }
    slots: list[Colleague] = []
    for person in people:
        if person.mentor and not is_newcomer(person, today, months):
            slots.extend([person] * capacity_left(person))
    forbidden = 1e6
    cost = np.full((len(open_), max(1, len(slots))), forbidden)
    fits_: dict[tuple[int, int], MentorSuggestion] = {}
    for i, newcomer in enumerate(open_):
        allowed = {s.person_id: s for s in ranked_candidates(newcomer, people, today, months)}
        for j, slot in enumerate(slots):
            if slot.id in allowed:
                cost[i, j] = -allowed[slot.id].score
                fits_[(i, j)] = allowed[slot.id]
    if open_:
        rows, cols = linear_sum_assignment(cost)
        chosen = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    else:
        chosen = {}
    for i, newcomer in enumerate(open_):
        pick = fits_.get((i, chosen.get(i, -1)))
        if pick is None:
            out[newcomer.id] = MentorMatch(
                newcomer.id, newcomer.name, None, None, (Reason("no_mentor"),)
            )
        else:
            out[newcomer.id] = MentorMatch(
                newcomer.id, newcomer.name, pick.person_id, pick.name, pick.reasons
            )
    return [out[n.id] for n in newcomers]
