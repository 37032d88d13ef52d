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
Who holds an area is not decided here: `Vem kan?` is asked the area's own words and one rule
(kb.expertise.holding) reads its answer, so the risk page and the experts page agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kb.expertise.experts import DocVote, Expert, SkillMatch, rank_experts, roles_in
from kb.expertise.holding import holding
from kb.expertise.reasons import Reason
from kb.expertise.terms import terms

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
    kind: str = "material"


@dataclass(frozen=True)
class Topic:
    name: str
    holders: tuple[str, ...]
    sources: tuple[str, ...]
    truck_factor: int
    single: bool
    labels: tuple[str, ...] = ()
    declared_only: tuple[str, ...] = ()  # support only a declared skill: "bara egen uppgift"
    words: tuple[str, ...] = ()  # the area's own words, the questions `Vem kan?` is asked


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
    """Name an area: the declared skill closest to its core, else its most used core label."""
    if not skills:
        return core[0] if core else labels[0]
    core_terms = frozenset().union(*(terms(label) for label in core))

    def closeness(name: str) -> tuple:
        return (bool(terms(name) & core_terms), skills.count(name), -len(name), name)

    return max(skills, key=closeness)


@dataclass
class Area:
    """An area before its holders are known: its name, labels, documents and own words."""

    name: str
    labels: list[str]
    docs: list[TopicDoc]
    words: list[str]


def document_areas(
    docs: Sequence[TopicDoc], declaring: Mapping[str, Sequence[tuple[str, int]]], subjects: set
) -> tuple[list[Area], set[tuple[str, str]]]:
    """Return the areas the labels make, named and merged, and the (person, skill) naming one.

    An area's own words are its core labels that are no school subject (on most of its
    documents); two areas whose names say the same (one's words inside the other's) are one.
    """
    areas: list[Area] = []
    matched: set[tuple[str, str]] = set()
    for labels, area_docs in cluster_labels(docs):
        own = [lb for lb in labels if lb.casefold() not in subjects] or list(labels)
        core = core_labels(own, area_docs)
        names = []
        for person, person_skills in declaring.items():
            for name, level in person_skills:
                if name.casefold() in subjects or level < HOLDING_LEVEL:
                    continue
                if skill_matches(name, core, core):
                    matched.add((person, name.casefold()))
                    names.append(name)
        name = name_area(own, core, names)
        same = next((a for a in areas if same_words(terms(a.name), terms(name))), None)
        if same is not None:
            known = {d.source for d in same.docs}
            same.docs.extend(d for d in area_docs if d.source not in known)
            same.labels.extend(lb for lb in labels if lb not in same.labels)
            same.words.extend(c for c in core if c not in same.words)
            continue
        areas.append(Area(name, list(labels), list(area_docs), list(core)))
    return areas, matched


def tag_answer(docs: Sequence[TopicDoc], skills: Mapping[str, Sequence[tuple[str, int]]]):
    """Return a `Vem kan?` for words over documents known only by their labels.

    The same ranking (kb.expertise.experts) with a document about the words when its labels
    hold all of them, and a skill matching when its name does: for the pure model and its tests.
    """

    def ask(words: str) -> list[Expert]:
        want = terms(words)
        votes = [
            DocVote(
                source=d.source,
                title=d.source,
                kind=d.kind,
                relevance=1.0,
                people=tuple(roles_in(d.kind, d.authors, ())),
                about=Reason("about_tags", terms=words),
            )
            for d in docs
            if want and want <= frozenset().union(*(terms(lb) for lb in d.labels))
        ]
        matches = [
            SkillMatch(person, name, level, 1.0)
            for person, person_skills in skills.items()
            for name, level in person_skills
            if want and same_words(want, terms(name))
        ]
        people = {p for d in docs for p in d.authors} | set(skills)
        return rank_experts(votes, matches, {p: p for p in people}, limit=len(people))

    return ask


def find_topics(
    docs: Sequence[TopicDoc],
    skills: Mapping[str, Sequence[tuple[str, int]]],
    newcomers: frozenset[str] = frozenset(),
    gone: frozenset[str] = frozenset(),
    ask: Callable[[str], Sequence[Expert]] | None = None,
) -> list[Topic]:
    """Return the organisation's knowledge areas with holders, sources and truck factor.

    The holders of an area are those *Vem kan?* (`ask`, the experts ranking) lists with
    documented knowledge for the area's own words (kb.expertise.holding); newcomers hold only
    what they first-wrote, people who have left (`gone`) nothing. Without `ask`, the same
    ranking runs over the documents' labels (tag_answer).
    """
    subjects = {s.casefold() for d in docs for s in d.subjects}
    declaring = {p: v for p, v in skills.items() if p not in newcomers and p not in gone}
    ask = ask or tag_answer(docs, skills)
    areas, matched = document_areas(docs, declaring, subjects)
    for name in head_only_areas(declaring, matched, subjects, areas):
        areas.append(Area(name, [name], [], [name]))
    topics = [held_topic(a, ask, newcomers, gone) for a in areas]
    # A skill area nobody can be named for (all declaring it are new or gone) is no finding.
    topics = [t for t in topics if t.sources or t.holders or t.declared_only]
    topics.sort(
        key=lambda t: (
            not t.holders,
            len(t.holders),
            t.truck_factor,
            -len(t.sources),
            t.name.casefold(),
        )
    )
    return topics


def held_topic(area: Area, ask, newcomers: frozenset[str], gone: frozenset[str]) -> Topic:
    """Ask `Vem kan?` the area's words and make the topic its holders show."""
    first = frozenset(d.authors[0] for d in area.docs if d.authors)
    held = holding(((w, ask(w)) for w in area.words), newcomers, first, gone)
    sources = tuple(d.source for d in area.docs) or held.documents
    authored = {a for d in area.docs for a in d.authors}
    everywhere = {h for h in held.holders if h not in authored}
    return Topic(
        name=area.name,
        holders=held.holders,
        sources=sources,
        truck_factor=truck_factor(held.holders, area.docs, everywhere),
        single=len(held.holders) == 1,
        labels=tuple(area.labels),
        declared_only=held.declared_only,
        words=tuple(area.words),
    )


def head_only_areas(
    skills: Mapping[str, Sequence[tuple[str, int]]],
    matched: set[tuple[str, str]],
    subjects: set[str],
    areas: Sequence[Area],
) -> list[str]:
    """Return the names of areas only declared skills show (skills saying the same, one)."""
    found: list[tuple[str, frozenset[str]]] = []
    for person, person_skills in sorted(skills.items()):
        for name, level in person_skills:
            key = name.casefold()
            if level < HOLDING_LEVEL or (person, key) in matched or key in subjects:
                continue
            words = terms(name)
            if not any(same_words(w, words) or n.casefold() == key for n, w in found):
                found.append((name, words))
    return [
        name for name, words in found if not any(same_words(terms(a.name), words) for a in areas)
    ]


def what_if_leaves(person: str, topics: Sequence[Topic]) -> list[Topic]:
    """Return the areas a person holds, those left with no holder first."""
    held = [t for t in topics if person in t.holders]
    return sorted(held, key=lambda t: (len(t.holders), -len(t.sources), t.name.casefold()))
