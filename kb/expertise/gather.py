"""Gather what the experts ranking needs for one asker: the evidence about the question among
the documents they may open (by words and by meaning, with the search layer's analyser,
embeddings and index), and the declared skills."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Viewer
from kb.catalog import Catalog, Filters
from kb.expertise.experts import (
    DocVote,
    Expert,
    SkillMatch,
    named_people,
    rank_experts,
    recency,
    roles_in,
)
from kb.expertise.reasons import Reason
from kb.expertise.relevance import (
    LEXICAL_FLOOR,
    DocTerms,
    idf_weights,
    lexical,
    name_coverage,
    question_units,
    relevance,
    semantic,
    standard_scores,
)
from kb.models import Document
from kb.search.indexes.keywords import KeywordIndex
from kb.search.indexes.vectors import VectorIndex
from kb.search.model.embed import Embedder
from kb.search.query import translate
from kb.search.query.question import Question, encode, understand
from kb.search.query.texts import StoredTexts
from kb.text.language import detect_query_language

# A declared skill's name close in meaning to the question (cosine of the query embeddings)
# matches from SKILL_COSINE_FLOOR (0.5) up to SKILL_COSINE_FULL (1). Measured on the default
# model (multilingual-e5-small): paraphrases of a skill score ≥ 0.92, unrelated skills ≤ 0.89.
SKILL_COSINE_FLOOR = 0.90
SKILL_COSINE_FULL = 0.97
# Skill names embedded once per embedder (they change seldom).
_SKILL_VECTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Evidence:
    """What the ranking reads for one question: the indexes of one snapshot and the
    documents' words and texts, the profiles and skills, as one session reads them."""

    catalog: Catalog
    keyword: KeywordIndex
    vectors: VectorIndex
    embedder: Embedder
    today: date
    names: dict[str, str]  # of everyone with a profile
    skills: list[tuple[str, str, int]]  # (person id, skill, level) of those with a profile
    terms: Callable[[list[int]], dict[int, DocTerms]]
    texts: Callable[[list[int]], dict[int, str]]


def evidence_in(session: Session, terms_cache: dict, **indexes) -> Evidence:
    """Return the evidence read in this session (its words cached in terms_cache)."""
    return Evidence(
        **indexes,
        terms=lambda ids: document_terms(session, terms_cache, ids),
        texts=StoredTexts(session).documents,
    )


def document_terms(session: Session, cache: dict, doc_ids: list[int]) -> dict[int, DocTerms]:
    """Return the analysed words of these documents, cached per document revision."""
    revisions = dict(
        session.execute(
            select(Document.id, Document.revision).where(Document.id.in_(doc_ids))
        ).all()
    )
    missing = [d for d, rev in revisions.items() if cache.get(d, (None,))[0] != rev]
    for start in range(0, len(missing), 500):
        rows = session.execute(
            select(
                Document.id,
                Document.revision,
                Document.title,
                Document.tags,
                Document.subjects,
                Document.group,
                Document.text,
            ).where(Document.id.in_(missing[start : start + 500]))
        )
        for row in rows:
            labels = [*(row.tags or ()), *(row.subjects or ()), row.group or ""]
            cache[row.id] = (row.revision, DocTerms.of(row.title, labels, row.text))
    return {d: cache[d][1] for d in revisions}


def semantic_scores(ev: Evidence, question: str, query, doc_ids: list[int]) -> dict[int, float]:
    """Return each document's best passage's standard score for the question (0 when the
    search would not understand the question at all: no known word, no sentence)."""
    catalog = ev.catalog
    if detect_query_language(question) is None and not ev.keyword.knows_any(question, doc_ids):
        return {}
    chunks = catalog.chunk_ids(doc_ids)
    if not len(chunks):
        return {}
    hits = ev.vectors.search(query, len(chunks), chunks)
    z = standard_scores([s for _, s in hits])
    out: dict[int, float] = {}
    for (chunk, _), value in zip(hits, z, strict=True):
        doc = catalog.chunk_doc.get(chunk)
        if doc is not None and value > out.get(doc, float("-inf")):
            out[doc] = value
    return out


def read_question(ev: Evidence, question: str, visible: list[int]) -> tuple[str, Question]:
    """Return the words to weigh and the question as the search reads it.

    An English question the material does not speak is weighed by its Swedish words (the
    first of each word's alternatives the asker's material uses); one whose words the
    material itself uses ("exit tickets" is said in Swedish too) is weighed as asked.
    """
    asked = understand(question, ev.keyword, visible, spelling_on=False)
    if asked.groups and not own_words_known(ev, question, visible):
        return " ".join(group[0] for group in asked.groups), asked
    return question, Question(question)


def own_words_known(ev: Evidence, question: str, visible: list[int]) -> bool:
    """Tell whether most content words of an English question occur in the asker's material."""
    words = [w.lower() for w in translate.content(question).split()]
    mask = ev.keyword.allowed_mask(visible)
    known = sum(ev.keyword.word_frequency(w, mask) > 0 for w in words)
    return 2 * known > len(words)


def skill_matches(
    embedder: Embedder, question: str, query, rows, idf: dict[str, float]
) -> list[SkillMatch]:
    """Match declared skills to the question by words (idf-weighted) or by meaning."""
    units = question_units(question)
    names = sorted({name for _, name, _ in rows})
    cosine = {}
    if names:
        # Skill names change seldom: embed each once per knowledge base and model.
        cache = _SKILL_VECTORS.setdefault(embedder, {})
        new = [n for n in names if n not in cache]
        if new:
            for n, vector in zip(new, embedder.embed_queries(new), strict=True):
                cache[n] = vector
        cosine = {n: float(cache[n] @ query) for n in names}
    out = []
    for pid, name, level in rows:
        lex = name_coverage(units, name, idf)
        c = cosine.get(name, 0.0)
        sem = 0.0
        if c >= SKILL_COSINE_FLOOR:
            sem = 0.5 + 0.5 * min(
                1.0, (c - SKILL_COSINE_FLOOR) / (SKILL_COSINE_FULL - SKILL_COSINE_FLOOR)
            )
        out.append(SkillMatch(pid, name, level, max(lex, sem)))
    return out


def experts(ev: Evidence, viewer: Viewer, question: str, limit: int = 10) -> list[Expert]:
    """Rank who knows about a question from what the asker may open and declared skills."""
    question = (question or "").strip()
    if not question:
        return []
    catalog = ev.catalog
    visible = catalog.visible(viewer, Filters())
    names = ev.names
    question, asked = read_question(ev, question, visible)
    units = question_units(question)
    words = ev.terms(visible)
    idf = idf_weights(frozenset().union(*(f for _, f in units)), list(words.values()))
    avg = sum(w.length for w in words.values()) / max(1, len(words))
    # No cache: an experts question is asked once, the search's cache serves the search.
    query = encode("dense", asked.text, asked.swedish, ev.embedder, None, {})
    z = semantic_scores(ev, question, query, visible)
    today = ev.today
    found = []
    for doc_id in visible:
        lex, about = lexical(units, words[doc_id], idf, avg)
        sem = semantic(z.get(doc_id, 0.0))
        r = relevance(lex, sem)
        if r > 0:
            if about is None or (lex < LEXICAL_FLOOR and sem > 0):
                about = Reason("about_meaning")
            found.append((doc_id, r, about))
    texts = ev.texts([f[0] for f in found])
    votes = []
    for doc_id, r, about in found:
        info = catalog.docs[doc_id]
        named = named_people(texts.get(doc_id, ""), names)
        votes.append(
            DocVote(
                source=info.source,
                title=info.title,
                kind=info.kind,
                relevance=round(r, 4),
                people=tuple(roles_in(info.kind, info.authors, named)),
                recency=recency(info.date, today),
                about=about,
            )
        )
    return rank_experts(
        votes, skill_matches(ev.embedder, question, query, ev.skills, idf), names, limit
    )
