"""Knowledge held by one person only: topics, their holders, and each topic's truck factor."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.expertise.terms import terms

# Degree of authorship (Fritz et al.; used by Avelino et al.'s truck-factor tool):
# DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)
DOA_BASE, DOA_FA, DOA_DL, DOA_AC = 3.293, 1.098, 0.164, 0.321
DOA_NORMALISED_MIN = 0.75
MIN_TOPIC_DOCUMENTS = 2
# A tag whose documents lie (mostly) inside a bigger tag's documents is a part of that area.
CONTAINED_SHARE = 0.8
SKILL_MATCH = 0.5
HOLDING_LEVEL = 3


@dataclass(frozen=True)
class TopicDoc:
    source: str
    authors: tuple[str, ...]
    labels: tuple[str, ...]  # tags and the learning group
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    name: str
    holders: tuple[str, ...]
    sources: tuple[str, ...]
    truck_factor: int
    single: bool
    labels: tuple[str, ...] = ()
    declared_by: tuple[str, ...] = ()


def degree_of_authorship(first_authored: bool, own: int, others: int) -> float:
    """DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC) over one topic's documents."""
    return DOA_BASE + DOA_FA * first_authored + DOA_DL * own - DOA_AC * math.log1p(others)


def authors_of(docs: Sequence[TopicDoc]) -> list[str]:
    """Return the documents' holders by degree of authorship.

    A person holds the topic when DOA ≥ 3.293 and DOA / max DOA ≥ 0.75, where FA says the
    person first-authored one of its documents, DL counts the documents they (co-)wrote and
    AC the documents written without them.
    """
    people = {a for d in docs for a in d.authors}
    doa = {}
    for person in people:
        first = any(d.authors and d.authors[0] == person for d in docs)
        own = sum(1 for d in docs if person in d.authors)
        doa[person] = degree_of_authorship(first, own, len(docs) - own)
    if not doa:
        return []
    top = max(doa.values())
    return sorted(p for p, v in doa.items() if v >= DOA_BASE and v / top >= DOA_NORMALISED_MIN)


def truck_factor(holders: Sequence[str], docs: Sequence[TopicDoc], declared: set[str]) -> int:
    """Count the fewest holders whose leaving orphans more than half the topic's documents.

    A document is orphaned when none of its authors who hold the topic remain; someone who
    declares the skill keeps every document of the topic alive. Greedy, as truck-factor tools do.
    """
    remaining = list(holders)
    if not docs:
        return len(remaining)
    removed = 0
    while remaining:
        if any(h in declared for h in remaining):
            alive = len(docs)
        else:
            alive = sum(1 for d in docs if set(d.authors) & set(remaining))
        if alive * 2 < len(docs):
            break

        def coverage(h: str) -> int:
            return len(docs) if h in declared else sum(1 for d in docs if h in d.authors)

        remaining.remove(max(sorted(remaining), key=coverage))
        removed += 1
    return removed


def cluster_labels(docs: Sequence[TopicDoc]) -> list[tuple[tuple[str, ...], list[TopicDoc]]]:
    """Group labels (tags, groups) into knowledge areas by the documents they share.

    Labels with the same documents are one area; a label whose documents lie for at least
    CONTAINED_SHARE inside a bigger label's documents joins that area. Areas need at least
    MIN_TOPIC_DOCUMENTS documents.
    """
    by_label: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for d in docs:
        for label in d.labels:
            key = label.casefold()
            spelling.setdefault(key, label)
            by_label.setdefault(key, set()).add(d.source)
    order = sorted(by_label, key=lambda k: (-len(by_label[k]), k))
    parent: dict[str, str] = {}
    for key in order:
        mine = by_label[key]
        for bigger in order:
            if bigger == key or bigger in parent:
                continue
            theirs = by_label[bigger]
            if len(theirs) < len(mine) or (len(theirs) == len(mine) and bigger > key):
                continue
            if len(mine & theirs) >= CONTAINED_SHARE * len(mine):
                parent[key] = bigger
                break
    groups: dict[str, list[str]] = {}
    for key in order:
        root = key
        while root in parent:
            root = parent[root]
        groups.setdefault(root, []).append(key)
    source_doc = {d.source: d for d in docs}
    out = []
    for members in groups.values():
        sources = set().union(*(by_label[m] for m in members))
        if len(sources) >= MIN_TOPIC_DOCUMENTS:
            out.append(
                (tuple(spelling[m] for m in members), [source_doc[s] for s in sorted(sources)])
            )
    return out


def core_labels(labels: Sequence[str], docs: Sequence[TopicDoc]) -> list[str]:
    """Return the labels carried by more than half of an area's documents (at least the first)."""
    keys = {label.casefold(): label for label in labels}
    counts = dict.fromkeys(keys, 0)
    for d in docs:
        for label in {x.casefold() for x in d.labels} & keys.keys():
            counts[label] += 1
    core = [keys[k] for k, n in counts.items() if n * 2 > len(docs)]
    return core or list(labels[:1])


def skill_matches(skill: str, labels: Sequence[str], core: Sequence[str]) -> bool:
    """Tell whether a declared skill names this area.

    Either the skill contains every term of one core label (a label on most of the area's
    documents: "formativ bedömning med exit tickets" contains "exit tickets"), or most of the
    skill's own terms are among the area's labels. One shared generic word ("bedömning") is
    not enough.
    """
    skill_terms = terms(skill)
    if not skill_terms:
        return False
    if any(terms(label) and terms(label) <= skill_terms for label in core):
        return True
    label_terms = frozenset().union(*(terms(label) for label in labels))
    return len(skill_terms & label_terms) / len(skill_terms) >= SKILL_MATCH


def name_area(
    labels: Sequence[str], core: Sequence[str], skills: Sequence[str], is_subject: bool
) -> str:
    """Name an area: its subject, else the declared skill closest to its core, else its labels."""
    if is_subject or not skills:
        return labels[0] if is_subject else ", ".join(labels[:3])
    core_terms = frozenset().union(*(terms(label) for label in core))

    def closeness(name: str) -> tuple:
        return (bool(terms(name) & core_terms), skills.count(name), -len(name), name)

    return max(skills, key=closeness)


def declared_holders(
    skills: Mapping[str, Sequence[tuple[str, int]]],
    labels: Sequence[str],
    core: Sequence[str],
    is_subject: bool,
    known_subjects: set[str],
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the (person, skill) pairs that hold an area by a declared skill, and the names."""
    declared, names = [], []
    for person, person_skills in skills.items():
        for name, level in person_skills:
            # A skill that is a school subject ("matematik") names that subject only, and a
            # subject is named by that skill only.
            if is_subject:
                if name.casefold() != labels[0].casefold():
                    continue
            elif name.casefold() in known_subjects:
                continue
            if level >= HOLDING_LEVEL and skill_matches(name, labels, core):
                declared.append((person, name))
                names.append(name)
    return declared, names


def skills_no_document_shows(
    skills: Mapping[str, Sequence[tuple[str, int]]], matched: set[tuple[str, str]]
) -> list[Topic]:
    """Return an area for each declared skill no document area took up (knowledge in a head)."""
    unmatched: dict[str, tuple[str, set[str]]] = {}
    for person, person_skills in skills.items():
        for name, level in person_skills:
            if level >= HOLDING_LEVEL and (person, name.casefold()) not in matched:
                unmatched.setdefault(name.casefold(), (name, set()))[1].add(person)
    return [
        Topic(
            name=name,
            holders=tuple(sorted(holders)),
            sources=(),
            truck_factor=len(holders),
            single=len(holders) == 1,
            labels=(name,),
            declared_by=tuple(sorted(holders)),
        )
        for name, holders in unmatched.values()
    ]


def find_topics(
    docs: Sequence[TopicDoc], skills: Mapping[str, Sequence[tuple[str, int]]]
) -> list[Topic]:
    """Return the organisation's knowledge areas with holders, sources and truck factor.

    Areas come from clustered tags and groups, from subjects, and from declared skills that
    no document shows (knowledge held only in someone's head). Holders are the authors by
    degree of authorship plus everyone who declares a matching skill at level ≥ 3.
    """
    topics: list[Topic] = []
    matched_skills: set[tuple[str, str]] = set()
    areas = [(labels, area_docs, False) for labels, area_docs in cluster_labels(docs)]
    subjects: dict[str, list[TopicDoc]] = {}
    spelling: dict[str, str] = {}
    for d in docs:
        for s in d.subjects:
            spelling.setdefault(s.casefold(), s)
            subjects.setdefault(s.casefold(), []).append(d)
    areas += [
        ((spelling[k],), v, True)
        for k, v in sorted(subjects.items())
        if len(v) >= MIN_TOPIC_DOCUMENTS
    ]
    known_subjects = set(subjects)
    seen_sources: set[tuple[str, ...]] = set()
    used_names: set[str] = set()
    for labels, area_docs, is_subject in areas:
        sources = tuple(d.source for d in area_docs)
        if sources in seen_sources:
            continue
        seen_sources.add(sources)
        core = core_labels(labels, area_docs)
        declared, names = declared_holders(skills, labels, core, is_subject, known_subjects)
        matched_skills.update((person, name.casefold()) for person, name in declared)
        declared = {person for person, _ in declared}
        holders = sorted(set(authors_of(area_docs)) | declared)
        label = name_area(labels, core, names, is_subject)
        if label.casefold() in used_names:
            # A bigger area already carries this skill's name: call this one by its labels.
            label = ", ".join(labels[:3])
        used_names.add(label.casefold())
        topics.append(
            Topic(
                name=label,
                holders=tuple(holders),
                sources=sources,
                truck_factor=truck_factor(holders, area_docs, declared),
                single=len(holders) == 1,
                labels=labels,
                declared_by=tuple(sorted(declared)),
            )
        )
    topics += skills_no_document_shows(skills, matched_skills)
    topics.sort(key=lambda t: (not t.single, -len(t.sources), t.name.casefold()))
    return topics


def what_if_leaves(person: str, topics: Sequence[Topic]) -> list[Topic]:
    """Return the topics a person holds, those left with no holder first."""
    held = [t for t in topics if person in t.holders]
    return sorted(held, key=lambda t: (len(t.holders), -len(t.sources), t.name.casefold()))
