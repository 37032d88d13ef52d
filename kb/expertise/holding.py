"""Who holds a knowledge area: one rule over the experts ranking (*Vem kan?*), read by the risk
page, "what if X leaves" and the property tests alike (docs/expertise.md, "Holders").

A colleague holds an area when *Vem kan?*, asked the area's own words, lists them with
documented knowledge of it: a score of at least HOLDER_SCORE and at least one document that is
labelled with those words (a tag or the title; a mention or a closeness in meaning is not
enough) which they wrote, co-wrote or took part in. Being named in a document, or a declared
skill alone, makes nobody a holder: someone whose only support is a declared skill (level ≥
DECLARED_LEVEL) is listed beside the holders as "bara egen uppgift".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.expertise.experts import Expert
from kb.expertise.reasons import Reason
from kb.expertise.terms import terms

# The score of one recent meeting about the area that the person took part in.
HOLDER_SCORE = 0.35
DECLARED_LEVEL = 3
# The parts in a document that show knowledge of what it is about (being named does not).
# A document is about the area when its tags or title say the area's words; one that only
# mentions them, or is close in meaning, is evidence for the ranking but shows no holding.
LABELLED = frozenset({"about_tags", "about_title"})
DOCUMENTED_ROLES = frozenset(
    {"wrote_material", "wrote_reflection", "cowrote_material", "cowrote_reflection", "took_part"}
)


@dataclass(frozen=True)
class Holding:
    """Who holds an area, who only declares it, and the documents that show it."""

    holders: tuple[str, ...]
    declared_only: tuple[str, ...]
    documents: tuple[str, ...]  # sources about the area's words its holders are part of


def labelled(about: Reason | None, words: str) -> bool:
    """Tell whether a piece of evidence is about all of the words by its tags or its title.

    The tags (or the title) must say every word: "NPF" for NPF, but "ungdomsböcker" shares
    only a part with "LL-böcker" and leaves "LL" unsaid.
    """
    if about is None or about.code not in LABELLED:
        return False
    want = terms(words)
    shown = frozenset().union(*(terms(t) for t in str(about.values.get("terms", "")).split(", ")))
    return bool(want) and want <= shown


def documented(expert: Expert, words: str) -> list[str]:
    """Return the sources that show this person's knowledge of the words (see labelled)."""
    return [
        ev.source
        for ev in expert.evidence
        if ev.why.code in DOCUMENTED_ROLES and labelled(ev.about, words)
    ]


def is_holder(expert: Expert, words: str) -> bool:
    """Tell whether *Vem kan?*'s entry for the words shows documented knowledge (the rule)."""
    return expert.score >= HOLDER_SCORE and bool(documented(expert, words))


def declares_only(expert: Expert, words: str) -> bool:
    """Tell whether what supports a non-holder is a declared skill at level ≥ DECLARED_LEVEL."""
    return not is_holder(expert, words) and any(s.level >= DECLARED_LEVEL for s in expert.skills)


def holding(
    answers: Iterable[tuple[str, Sequence[Expert]]],
    newcomers: frozenset[str] = frozenset(),
    first_authors: frozenset[str] = frozenset(),
    gone: frozenset[str] = frozenset(),
) -> Holding:
    """Apply the holder rule to *Vem kan?*'s answer for each of an area's words.

    Nobody who has left holds anything; a newcomer holds an area only by first-authoring one
    of its documents (what they have not shown themselves is not theirs yet).
    """
    holders: set[str] = set()
    declared: set[str] = set()
    documents: set[str] = set()
    for words, answer in answers:
        for expert in answer:
            p = expert.person_id
            if p in gone or (p in newcomers and p not in first_authors):
                continue
            if is_holder(expert, words):
                holders.add(p)
                documents.update(documented(expert, words))
            elif declares_only(expert, words):
                declared.add(p)
    return Holding(
        tuple(sorted(holders)), tuple(sorted(declared - holders)), tuple(sorted(documents))
    )
