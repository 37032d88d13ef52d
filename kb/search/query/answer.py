"""Choose the sentences of an extractive answer from the documents a search found (issue 27).

Candidates are the quotable sentences (kb.text.sentences) of the search's hits only, which
are already restricted to what the viewer may open: for a "vad har vi lärt oss" question a
reflection's lessons, for a "hur gör vi" question a material's opening and the reflections'
"Vad tar vi med oss?". Each candidate x of the hit ranked r (0 first) is scored

    rel(x) = w_sec(x) · cos(q, v_x) + β · kw(x) + γ · kw(d) + δ / (1 + r)

with q the question's vector and v_x the sentence's (both unit, v_x made at index time),
kw(x) the share of the question's content words the sentence holds (a word counts when a
word of the sentence starts with its stem, its first max(4, len − 2) letters; a two-letter
acronym such as AI counts only as itself), kw(d) the
share its document holds in its title, tags and quotable sentences (is the document about
the question at all?), and w_sec the weight of the sentence's section. An English question
counts its words or their Swedish translations, whichever a text holds more of. No answer unless max rel ≥ θ. Then maximal marginal
relevance picks up to `most` sentences, each time the x maximising

    λ · rel(x) − (1 − λ) · max_{y ∈ S} cos(v_x, v_y)

among those with rel(x) ≥ θ − μ that are no near-duplicate (cos ≥ ν) of one already chosen.
An answer then also shows up to `contrast_pairs` pairs of sentences with rel(x) ≥ θ − μ_c in
which two learning groups leaned opposite ways on the topic (kb.search.query.contrast), each
marked with the position of the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from kb.search.indexes.sentences import SentenceIndex
from kb.search.query.contrast import contrasts
from kb.search.query.translate import is_english, to_swedish
from kb.text.questions import wants_howto, wants_learned
from kb.text.sentences import LESSON_SECTIONS, MATERIAL_SECTION

# Words that frame a question rather than say what it is about.
STOPWORDS = frozenset(
    [
        "vad",
        "har",
        "vi",
        "lärt",
        "oss",
        "om",
        "hur",
        "gör",
        "man",
        "för",
        "att",
        "med",
        "och",
        "i",
        "på",
        "av",
        "en",
        "ett",
        "det",
        "den",
        "de",
        "som",
        "är",
        "till",
        "från",
        "när",
        "vid",
        "inte",
        "kan",
        "ska",
        "vill",
        "tar",
        "lärdomar",
        "erfarenheter",
        "the",
        "what",
        "have",
        "we",
        "learned",
        "about",
        "how",
        "do",
        "does",
        "to",
        "and",
        "of",
        "in",
        "on",
        "for",
        "a",
        "an",
        "with",
        "our",
        "is",
        "are",
        "use",
        "run",
    ]
)
_WORD = re.compile(r"\w+", re.U)


@dataclass(frozen=True)
class AnswerParams:
    # Chosen on the tuning half of tests/judged/answers.yaml (docs/answers.md).
    theta: float = 1.2
    margin: float = 0.0
    beta: float = 0.1
    gamma: float = 0.4
    delta: float = 0.1
    lam: float = 0.7
    near_duplicate: float = 0.92
    most: int = 4
    # How many of the search's first hits lend their sentences.
    hits: int = 5
    # How far below θ a sentence may score and still be shown against another group's
    # (kb.search.query.contrast), and how many such pairs an answer shows at most. 0: a side
    # never scores below the answer's own bar (0.2 cost precision on the test half).
    contrast_margin: float = 0.0
    contrast_pairs: int = 2


@dataclass(frozen=True)
class Candidate:
    """A sentence the answer may quote: its row in the sentence index and the hit's rank."""

    row: int
    section: str
    text: str
    rank: int


def content_words(question: str) -> list[str]:
    """Return the words of a question that say what it is about, lower-cased, once each."""
    # A two-letter word is a topic only when written as an acronym (AI, NO, SO, IT): in
    # lower case it is nearly always a function word ("nu", "ut", "so", "it").
    words = [w for w in _WORD.findall(question) if len(w) > 2 or (len(w) == 2 and w.isupper())]
    return list(dict.fromkeys(w.lower() for w in words if w.lower() not in STOPWORDS))


def _holds(word: str, own: list[str]) -> bool:
    """Tell whether some word of a text starts with the word's stem (an acronym: is the word)."""
    if len(word) < 3:
        return word in own
    stem = word[: max(4, len(word) - 2)]
    return any(t.startswith(stem) for t in own)


def keyword_share(words: list[str], sentence: str) -> float:
    """Return the share of the words whose stem begins some word of the sentence."""
    if not words:
        return 0.0
    own = [w.lower() for w in _WORD.findall(sentence)]
    held = sum(1 for w in words if _holds(w, own))
    return held / len(words)


def sections_for(kind: str) -> dict[str, float]:
    """Return the sections a question of this kind ("learned" or "how") quotes, weighted."""
    if kind == "learned":
        return dict(LESSON_SECTIONS)
    return {MATERIAL_SECTION: 1.0, "Vad tar vi med oss?": 0.9}


def shares(wordings: list[list[str]], text: str) -> float:
    """Return the keyword share of the wording (own words, Swedish words) a text holds most of."""
    return max(keyword_share(words, text) for words in wordings)


def score(
    q: np.ndarray,
    vectors: np.ndarray,
    candidates: list[Candidate],
    wordings: list[list[str]],
    weights: dict[str, float],
    about: Mapping[int, float],
    p: AnswerParams,
) -> np.ndarray:
    """Return rel(x) of each candidate (the module docstring's first formula); `about` holds
    kw(d) by hit rank."""
    cos = vectors @ q
    w = np.array([weights[c.section] for c in candidates], dtype=np.float32)
    kw = np.array([shares(wordings, c.text) for c in candidates], dtype=np.float32)
    doc = np.array([about[c.rank] for c in candidates], dtype=np.float32)
    prior = np.array([1.0 / (1 + c.rank) for c in candidates], dtype=np.float32)
    return w * cos + p.beta * kw + p.gamma * doc + p.delta * prior


def select(rel: np.ndarray, vectors: np.ndarray, p: AnswerParams) -> list[int]:
    """Return the chosen candidates' positions by MMR, or [] when none clears θ."""
    if not len(rel) or float(rel.max()) < p.theta:
        return []
    eligible = [i for i in range(len(rel)) if rel[i] >= p.theta - p.margin]
    chosen: list[int] = []
    while eligible and len(chosen) < p.most:
        if chosen:
            similar = (vectors[eligible] @ vectors[chosen].T).max(axis=1)
        else:
            similar = np.zeros(len(eligible), dtype=np.float32)
        mmr = p.lam * rel[eligible] - (1 - p.lam) * similar
        best = int(np.argmax(mmr))
        chosen.append(eligible.pop(best))
        eligible = [i for i in eligible if _apart(vectors, i, chosen, p)]
    return chosen


def _apart(vectors: np.ndarray, i: int, chosen: list[int], p: AnswerParams) -> bool:
    """Tell whether a candidate is no near-duplicate of any sentence chosen so far."""
    return bool((vectors[chosen] @ vectors[i]).max() < p.near_duplicate)


@dataclass(frozen=True)
class Quoted:
    """One sentence of an answer: its document, section, exact words, offset and score."""

    doc_id: int
    section: str
    text: str
    start: int
    score: float
    source: str = ""
    # The position in the answer of a sentence another group wrote the other way round
    # (kb.search.query.contrast); -1 when none.
    against: int = -1


def question_kind(question: str) -> str | None:
    """Return "learned", "how" or None (a question an answer does not take up)."""
    if wants_learned(question):
        return "learned"
    if wants_howto(question):
        return "how"
    return None


def extract(
    question: str,
    q: np.ndarray,
    hit_ids: list[int],
    sentences: SentenceIndex,
    p: AnswerParams,
    topics: Mapping[int, str] | None = None,
    groups: Mapping[int, str | None] | None = None,
) -> list[Quoted]:
    """Return the answer's sentences, best first, from the first hits' quotable sentences
    (hit_ids: the search's hits for this viewer, best first; topics: a hit's title and
    tags; groups: a reflection's learning group); [] to abstain."""
    kind = question_kind(question)
    if kind is None or not hit_ids or not len(sentences):
        return []
    weights = sections_for(kind)
    rank = {d: r for r, d in enumerate(hit_ids[: p.hits])}
    rows = [i for i in sentences.of(rank) if sentences.rows[i].section in weights]
    if not rows:
        return []
    candidates = [
        Candidate(
            i, sentences.rows[i].section, sentences.rows[i].text, rank[sentences.rows[i].doc_id]
        )
        for i in rows
    ]
    vectors = sentences.matrix[rows]
    wordings = [content_words(question)]
    if is_english(question):
        # Swedish sentences hold the question's Swedish words, not its English ones.
        wordings.append(content_words(to_swedish(question)))
    topics = topics or {}
    about = {
        r: shares(wordings, " ".join([topics.get(d, "")] + [s.text for s in sentences.rows_of(d)]))
        for d, r in rank.items()
    }
    rel = score(q, vectors, candidates, wordings, weights, about, p)
    chosen = select(rel, vectors, p)
    if not chosen:
        return []
    doc_group = groups or {}
    shown, against = with_contrasts(
        chosen,
        rel,
        [c.section for c in candidates],
        [doc_group.get(sentences.rows[i].doc_id) for i in rows],
        [shares(wordings, c.text) > 0 for c in candidates],
        p,
    )
    out = []
    for i in shown:
        row = sentences.rows[rows[i]]
        rounded = round(float(rel[i]), 4)
        out.append(Quoted(row.doc_id, row.section, row.text, row.start, rounded))
    return [
        replace(quoted, against=shown.index(against[i])) if i in against else quoted
        for quoted, i in zip(out, shown, strict=True)
    ]


def with_contrasts(
    chosen: list[int],
    rel: np.ndarray,
    sections: list[str],
    groups: list[str | None],
    on_topic: list[bool],
    p: AnswerParams,
) -> tuple[list[int], dict[int, int]]:
    """Return the candidates to show (the chosen, then the sides of up to `contrast_pairs`
    contrasts among those with rel ≥ θ − μ_c) and, for each side, the candidate it is set
    against."""
    # The chosen first, then the rest by score, so a pair keeps the answer's own sentences.
    near = p.theta - p.contrast_margin
    rest = sorted(
        (i for i in range(len(rel)) if i not in chosen and rel[i] >= near), key=lambda i: -rel[i]
    )
    pool = chosen + rest
    pairs = contrasts(
        [sections[i] for i in pool], [groups[i] for i in pool], [on_topic[i] for i in pool]
    )[: p.contrast_pairs]
    shown, against = list(chosen), {}
    for a, b in pairs:
        i, j = pool[a], pool[b]
        shown += [k for k in (i, j) if k not in shown]
        against[i], against[j] = j, i
    return shown, against


def learning_groups(catalog, doc_ids) -> dict[int, str | None]:
    """Return the learning group whose meeting each reflection records (None for material)."""
    docs = catalog.docs
    return {d: docs[d].group if docs[d].kind == "reflection" else None for d in doc_ids}


def topics(catalog, doc_ids) -> dict[int, str]:
    """Return what each document says it is about: its title, tags and learning group."""
    out = {}
    for d in doc_ids:
        info = catalog.docs[d]
        out[d] = " ".join([info.title, *info.tags, info.group or ""])
    return out
