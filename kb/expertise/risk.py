"""Knowledge held by one person only: areas, their holders, and each area's truck factor.

Granularity: an *area* is what the organisation's own labels (document tags and the learning
group of a reflection) name, with
- labels merged when they are the same area: the same analysed words or one's words inside
  the other's ("teckenspråk" / "svenskt teckenspråk") on overlapping documents, or mostly
  the same documents (Jaccard ≥ SHARED_DOCUMENTS);
- a label whose documents lie (mostly) inside a broader label's documents grouped under that
  broader area ("geometri" and "mattestig" under "matematik utomhus");
- at least MIN_AREA_DOCUMENTS documents; and a declared skill (level ≥ HOLDING_LEVEL) that no
  document area shows is an area of its own, without documents (knowledge in someone's head).
School subjects are not areas: everybody teaching mathematics is not a risk finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.expertise.terms import terms

# Degree of authorship (Fritz et al.; used by Avelino et al.'s truck-factor tool):
# DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)
DOA_BASE, DOA_FA, DOA_DL, DOA_AC = 3.293, 1.098, 0.164, 0.321
DOA_NORMALISED_MIN = 0.75
MIN_AREA_DOCUMENTS = 2
# A label whose documents lie at least this much inside a broader label's is part of it.
CONTAINED_SHARE = 0.8
# Labels sharing this much of their documents (Jaccard) are the same area.
SHARED_DOCUMENTS = 0.6
# Labels whose analysed words overlap this much (Jaccard) are the same area.
SAME_WORDS = 0.6
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
    """DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC) over one area's documents."""
    return DOA_BASE + DOA_FA * first_authored + DOA_DL * own - DOA_AC * math.log1p(others)


def authors_of(docs: Sequence[TopicDoc], newcomers: frozenset[str] = frozenset()) -> list[str]:
    """Return the area's holders by degree of authorship.

    A person holds the area when DOA ≥ 3.293 and DOA / max DOA ≥ 0.75, where FA says the
    person first-authored one of its documents, DL counts the documents they (co-)wrote or
    took part in, and AC the documents written without them. A newcomer holds it only by
    first-authoring one of them: what they have not shown themselves is not theirs yet.
    """
    people = {a for d in docs for a in d.authors}
    doa = {}
    for person in people:
        first = any(d.authors and d.authors[0] == person for d in docs)
        if person in newcomers and not first:
            continue
        own = sum(1 for d in docs if person in d.authors)
        doa[person] = degree_of_authorship(first, own, len(docs) - own)
    if not doa:
        return []
    top = max(doa.values())
    return sorted(p for p, v in doa.items() if v >= DOA_BASE and v / top >= DOA_NORMALISED_MIN)


def truck_factor(holders: Sequence[str], docs: Sequence[TopicDoc], declared: set[str]) -> int:
    """Count the fewest holders whose leaving orphans more than half the area's documents.

    Avelino et al.'s greedy removal: take away the holder who covers most documents, again and
    again, until more than half are orphaned (none of their holding authors remains). Someone
    who declares the skill keeps every document of the area alive. An area without documents
    has as many as hold it.
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


def same_words(a: frozenset[str], b: frozenset[str]) -> bool:
    """Tell whether two labels' analysed words name the same thing: one's inside the other's,
    or Jaccard ≥ SAME_WORDS (and, for labels, their documents overlap: see cluster_labels)."""
    if not a or not b:
        return False
    return a <= b or b <= a or len(a & b) / len(a | b) >= SAME_WORDS


def cluster_labels(docs: Sequence[TopicDoc]) -> list[tuple[tuple[str, ...], list[TopicDoc]]]:
    """Group labels (tags, groups) into areas: the same words, the same documents, or inside
    a broader label's documents (see the module's docstring). Largest first."""
    by_label: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for d in docs:
        for label in d.labels:
            key = label.casefold()
            spelling.setdefault(key, label)
            by_label.setdefault(key, set()).add(d.source)
    order = sorted(by_label, key=lambda k: (-len(by_label[k]), k))
    parent = {k: k for k in order}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    words = {k: terms(spelling[k]) for k in order}
    position = {k: i for i, k in enumerate(order)}
    # Every way to join needs a shared document, so only labels on one of mine are compared:
    # the cost grows with the labels per document, not with their square over the collection.
    labels_of: dict[str, set[str]] = {}
    for key, sources in by_label.items():
        for source in sources:
            labels_of.setdefault(source, set()).add(key)
    for i, key in enumerate(order):
        mine = by_label[key]
        joins = []
        near = set().union(*(labels_of[s] for s in mine))
        for bigger in sorted((k for k in near if position[k] < i), key=position.get):
            theirs = by_label[bigger]
            overlap = len(mine & theirs)
            alike = same_words(words[key], words[bigger]) and overlap * 2 >= len(mine)
            overlapping = overlap >= SHARED_DOCUMENTS * len(mine | theirs)
            if alike or overlapping or overlap >= CONTAINED_SHARE * len(mine):
                joins.append((overlap / len(mine | theirs), -len(theirs), bigger))
        if joins:
            # The nearest one: most of the same documents, the most specific on a tie.
            parent[key] = max(joins, key=lambda j: (j[0], j[1], [-ord(c) for c in j[2]]))[2]
    groups: dict[str, list[str]] = {}
    for key in order:
        groups.setdefault(root(key), []).append(key)
    source_doc = {d.source: d for d in docs}
    out = []
    for members in groups.values():
        sources = set().union(*(by_label[m] for m in members))
        if len(sources) >= MIN_AREA_DOCUMENTS:
            labels = sorted(members, key=lambda m: (-len(by_label[m]), m))
            out.append(
                (tuple(spelling[m] for m in labels), [source_doc[s] for s in sorted(sources)])
            )
    out.sort(key=lambda g: (-len(g[1]), g[0][0].casefold()))
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

    The skill contains every word of a core label (one on most of the area's documents:
    "formativ bedömning med exit tickets" contains "exit tickets"), or its words and one
    label's overlap by Jaccard ≥ SAME_WORDS. One shared word ("anpassningar" in a
    checklist's tags against "extra anpassningar") is not enough.
    """
    skill_terms = terms(skill)
    if not skill_terms:
        return False
    if any(terms(label) and terms(label) <= skill_terms for label in core):
        return True
    return any(
        len(terms(label) & skill_terms) / len(terms(label) | skill_terms) >= SAME_WORDS
        for label in labels
    )


def name_area(labels: Sequence[str], core: Sequence[str], skills: Sequence[str]) -> str:
    """Name an area: the declared skill closest to its core, else its most used label."""
    if not skills:
        return labels[0]
    core_terms = frozenset().union(*(terms(label) for label in core))

    def closeness(name: str) -> tuple:
        return (bool(terms(name) & core_terms), skills.count(name), -len(name), name)

    return max(skills, key=closeness)


def find_topics(
    docs: Sequence[TopicDoc],
    skills: Mapping[str, Sequence[tuple[str, int]]],
    newcomers: frozenset[str] = frozenset(),
    gone: frozenset[str] = frozenset(),
) -> list[Topic]:
    """Return the organisation's knowledge areas with holders, sources and truck factor.

    Holders are the authors by degree of authorship (authors_of) plus everyone who declares a
    skill naming the area at level ≥ HOLDING_LEVEL; newcomers hold only what they first-wrote
    (their declared skills do not count), and people who have left (`gone`) hold nothing.
    """
    subjects = {s.casefold() for d in docs for s in d.subjects}
    declaring = {p: v for p, v in skills.items() if p not in newcomers and p not in gone}
    topics: list[Topic] = []
    matched: set[tuple[str, str]] = set()
    used: set[str] = set()
    for labels, area_docs in cluster_labels(docs):
        core = core_labels(labels, area_docs)
        declared, names = set(), []
        for person, person_skills in declaring.items():
            for name, level in person_skills:
                if name.casefold() in subjects or level < HOLDING_LEVEL:
                    continue
                if skill_matches(name, labels, core):
                    declared.add(person)
                    matched.add((person, name.casefold()))
                    names.append(name)
        authors = set(authors_of(area_docs, newcomers)) - gone
        holders = sorted(authors | declared)
        label = name_area(labels, core, names)
        if label.casefold() in used:
            label = ", ".join(labels[:3])
        used.add(label.casefold())
        topics.append(
            Topic(
                name=label,
                holders=tuple(holders),
                sources=tuple(d.source for d in area_docs),
                truck_factor=truck_factor(holders, area_docs, declared),
                single=len(holders) == 1,
                labels=tuple(labels),
                declared_by=tuple(sorted(declared)),
            )
        )
    topics.extend(head_only_topics(declaring, matched, subjects, used))
    topics.sort(key=lambda t: (len(t.holders), t.truck_factor, -len(t.sources), t.name.casefold()))
    return topics


def head_only_topics(
    skills: Mapping[str, Sequence[tuple[str, int]]],
    matched: set[tuple[str, str]],
    subjects: set[str],
    used: set[str],
) -> list[Topic]:
    """Return areas only declared skills show: skills naming the same thing share one."""
    areas: list[tuple[str, frozenset[str], set[str]]] = []
    for person, person_skills in sorted(skills.items()):
        for name, level in person_skills:
            key = name.casefold()
            if level < HOLDING_LEVEL or (person, key) in matched or key in subjects:
                continue
            words = terms(name)
            area = next(
                (a for a in areas if same_words(a[1], words) or a[0].casefold() == key), None
            )
            if area is None:
                areas.append((name, words, {person}))
            else:
                area[2].add(person)
    return [
        Topic(
            name=name,
            holders=tuple(sorted(people)),
            sources=(),
            truck_factor=len(people),
            single=len(people) == 1,
            labels=(name,),
            declared_by=tuple(sorted(people)),
        )
        for name, _, people in areas
        if name.casefold() not in used
    ]


def what_if_leaves(person: str, topics: Sequence[Topic]) -> list[Topic]:
    """Return the areas a person holds, those left with no holder first."""
    held = [t for t in topics if person in t.holders]
    return sorted(held, key=lambda t: (len(t.holders), -len(t.sources), t.name.casefold()))
