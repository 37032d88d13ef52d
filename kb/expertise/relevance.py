"""How much a piece of evidence is about a question: by its words, or close in meaning.

Both measures are absolute (not relative to the best hit), so a question nothing is about gets
no evidence at all, and evidence under the floor is not evidence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.expertise.reasons import Reason
from kb.expertise.terms import terms

# BM25's saturation: the share a term's mentions give is tf / (tf + K1·len/avglen).
K1 = 1.2
# Lexical relevance under this is a passing mention, not evidence.
LEXICAL_FLOOR = 0.55
# A compound's part alone says this much of the whole word (less than the floor: a part
# alone, "språk" of "andraspråk" for "teckenspråk", is never evidence).
PART_CREDIT = 0.4
# Semantic relevance: the standard score of the document's best passage among all passages
# the asker may open; under Z_FLOOR it is not evidence, from Z_FULL it counts fully.
Z_FLOOR = 2.5
Z_FULL = 4.0


@dataclass(frozen=True)
class DocTerms:
    """A document's analysed words: those of its title, of its tags, and counts in its text."""

    title: frozenset[str]
    tags: frozenset[str]
    counts: Mapping[str, int]
    length: int
    labels: tuple[tuple[str, frozenset[str]], ...] = ()  # each tag as written, with its terms

    @classmethod
    def of(cls, title: str, tags: Iterable[str], text: str) -> DocTerms:
        labels = tuple((t, terms(t)) for t in tags if t)
        tag_terms = frozenset().union(*(ts for _, ts in labels)) if labels else frozenset()
        counts: Counter = Counter()
        for line in (text or "").splitlines():
            counts.update(analysed_words(line))
        return cls(terms(title), tag_terms, dict(counts), max(1, sum(counts.values())), labels)

    def has(self, term: str) -> bool:
        return term in self.title or term in self.tags or term in self.counts


def analysed_words(text: str) -> list[str]:
    """Return the analysed terms of a text, once per occurrence (for counting mentions)."""
    return [t for word in text.split() for t in terms(word)]


def question_units(question: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Split a question into its words, each with its analysed terms (a compound's parts too);
    words without content ("och", "på") are left out."""
    out = []
    for word in question.split():
        found = terms(word)
        if found:
            out.append((word.strip(",.?!:;\"'()"), found))
    return tuple(out)


def idf_weights(question: frozenset[str], docs: Sequence[DocTerms]) -> dict[str, float]:
    """idf(t) = ln(1 + N / df(t)); 0 for a term no document has (it tells documents apart by
    nothing: "schack fortbildning" is about schack when nobody wrote of fortbildning)."""
    n = max(1, len(docs))
    out = {}
    for t in question:
        df = sum(1 for d in docs if d.has(t))
        out[t] = math.log1p(n / df) if df else 0.0
    return out


def _term_value(t: str, doc: DocTerms, norm: float) -> tuple[float, str]:
    if t in doc.tags:
        return 1.0, "tags"
    if t in doc.title:
        return 1.0, "title"
    tf = doc.counts.get(t, 0)
    return (tf / (tf + norm), "text") if tf else (0.0, "")


def lexical(
    units: Sequence[tuple[str, frozenset[str]]],
    doc: DocTerms,
    idf: Mapping[str, float],
    avg_length: float,
) -> tuple[float, Reason | None]:
    """Return how much of the question the document is about, by its words, and why.

    lex(q, d) = Σ_w W(w)·v(w, d) / Σ_w W(w) over the question's words w, where W(w) is the
    idf of w's own (longest) term, and v(w, d) = v(t, d) for that term, else
    PART_CREDIT·max v(part, d) over the parts of a compound ("utomhus" for "utomhuspedagogik").
    For a term t,
    v(t, d) = 1 when t is in the title or the tags (the document says it is about t), else
    tf / (tf + K1·|d| / avg|d|) from its mentions in the text (BM25's saturation), 0 if absent.
    A word no document has weighs 0.
    """
    norm = K1 * doc.length / max(avg_length, 1.0)
    total = got = 0.0
    where: dict[str, list[str]] = {"tags": [], "title": [], "text": []}
    mentions = 0
    for word, found in units:
        head = max(found, key=lambda t: (len(t), t))
        weight = idf.get(head, 0.0) or max(idf.get(t, 0.0) for t in found)
        if weight <= 0:
            continue
        total += weight
        value, zone = _term_value(head, doc, norm)
        if not value:
            parts = [(*_term_value(t, doc, norm), t) for t in found if t != head]
            best = max(parts, default=(0.0, "", ""))
            value, zone = best[0] * PART_CREDIT, best[1]
        if value:
            got += weight * value
            where[zone].append(word)
            mentions += sum(doc.counts.get(t, 0) for t in found) if zone == "text" else 0
    if total <= 0:
        return 0.0, None
    if where["tags"]:
        hit = set().union(*(f for w, f in units if w in where["tags"]))
        shown = [label for label, ts in doc.labels if ts & hit]
        why = Reason("about_tags", terms=", ".join(shown[:3]))
    elif where["title"]:
        why = Reason("about_title", terms=", ".join(where["title"]))
    elif where["text"]:
        why = Reason("about_text", terms=", ".join(where["text"]), num=mentions)
    else:
        why = None
    return got / total, why


def name_coverage(
    units: Sequence[tuple[str, frozenset[str]]], name: str, idf: Mapping[str, float]
) -> float:
    """How much of the question a short name (a declared skill) says, weighted as in lexical:
    Σ_w W(w)·c(w) / Σ_w W(w), c = 1 for w's own term in the name, PART_CREDIT for a part."""
    have = terms(name)
    total = got = 0.0
    for _, found in units:
        head = max(found, key=lambda t: (len(t), t))
        weight = idf.get(head, 0.0) or max(idf.get(t, 0.0) for t in found) or 1.0
        total += weight
        if head in have:
            got += weight
        elif found & have:
            got += weight * PART_CREDIT
    return got / total if total else 0.0


def semantic(z: float) -> float:
    """Map a passage's standard score to relevance: 0 under Z_FLOOR, then 0.5 … 1 at Z_FULL."""
    if z < Z_FLOOR:
        return 0.0
    return 0.5 + 0.5 * min(1.0, (z - Z_FLOOR) / (Z_FULL - Z_FLOOR))


def relevance(lex: float, sem: float) -> float:
    """r(q, d) = max(lex·[lex ≥ LEXICAL_FLOOR], sem): 0 means the document is not evidence."""
    return max(lex if lex >= LEXICAL_FLOOR else 0.0, sem)


def standard_scores(similarities: Sequence[float]) -> list[float]:
    """Return (s − mean) / sd of each similarity (all 0 when they do not vary)."""
    if not similarities:
        return []
    mean = sum(similarities) / len(similarities)
    sd = math.sqrt(sum((s - mean) ** 2 for s in similarities) / len(similarities))
    return [(s - mean) / sd if sd > 1e-9 else 0.0 for s in similarities]
