"""tantivy queries built from kb's own analysis, the coverage, and tantivy's panics made errors."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable

import tantivy

from kb.search.indexes.keywords import FIELD_BOOSTS, coverage_shares, term_groups

STEMMED = ("title", "tags", "body")
K1 = 1.2  # tantivy's and Whoosh's BM25 k1
# The exact words' weight at query time: Whoosh weighs them 0.5 at index time, inside the
# saturation, which half a token cannot do here. A word once in a document of average length
# scores idf·w(k1+1)/(w+k1) in Whoosh (w = 0.5) and b·idf in tantivy: b = 0.647 matches it.
EXACT_BOOST = FIELD_BOOSTS["exact"] * (1 + K1) / (FIELD_BOOSTS["exact"] + K1)
QUOTED = re.compile(r'"([^"]*)"')


class KeywordIndexError(OSError):
    """The tantivy index does not read: set it aside and rebuild it from the database."""


def guarded(call):
    """Run a tantivy call; its panics (a damaged file) become a KeywordIndexError."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3's PanicException is no Exception
        raise KeywordIndexError(f"{type(exc).__name__}: {exc}") from None


def every_address(searcher) -> list:
    """Return the address of every live document a searcher sees."""
    limit = max(int(searcher.num_docs), 1)
    every = tantivy.Query.all_query()
    return [a for _, a in guarded(lambda: searcher.search(every, limit, count=False).hits)]


def doc_freq(searcher, field: str, term: str) -> int:
    """Return how many documents hold a term in a field (deleted ones not yet merged too)."""
    return int(guarded(lambda: searcher.doc_freq(field, term)))


def idf_ratio(doc_freq: int, docs: int) -> float:
    """Return w(t) = idf_whoosh / idf_tantivy, the boost that gives a term Whoosh's idf.

    idf_whoosh = ln(N / (n + 1)) + 1 and idf_tantivy = ln(1 + (N − n + 0.5) / (n + 0.5)) for a
    term in n of N documents: tantivy's BM25 times w(t) is Whoosh's BM25F for that term.
    """
    if not doc_freq or not docs:
        return 1.0
    tantivy_idf = math.log(1 + (docs - doc_freq + 0.5) / (doc_freq + 0.5))
    return (math.log(docs / (doc_freq + 1)) + 1) / max(tantivy_idf, 1e-6)


def _clause(schema, field: str, tokens: list[tuple[int, str]], weigh=None):
    """Return a term query for one token, a phrase query for several (None: no token)."""
    if not tokens:
        return None
    if len(tokens) == 1:
        term = tantivy.Query.term_query(schema, field, tokens[0][1])
        return (
            term if weigh is None else tantivy.Query.boost_query(term, weigh(field, tokens[0][1]))
        )
    start = tokens[0][0]
    return tantivy.Query.phrase_query(schema, field, [(p - start, t) for p, t in tokens])


def _segment(schema, text: str, stemmed, exact, phrase: bool, weigh=None) -> list:
    """Return the clauses of one word (or quoted phrase) over the four fields."""
    out = []
    if phrase:
        words = [[(t.pos, t.text) for t in stemmed(text, positions=True, mode="query")]]
        exact_words = [[(t.pos, t.text) for t in exact(text, positions=True)]]
    else:
        words = [[(0, t.text)] for t in stemmed(text, mode="query")]
        exact_words = [[(0, t.text)] for t in exact(text)]
    for tokens in words:
        out += [_clause(schema, field, tokens, weigh) for field in STEMMED]
    for tokens in exact_words:
        query = _clause(schema, "exact", tokens, weigh)
        if query is not None:
            out.append(tantivy.Query.boost_query(query, EXACT_BOOST))
    return [q for q in out if q is not None]


def build_query(schema, text: str, stemmed, exact, weigh=None):
    """Build an OR query of what a colleague typed (None: no word to look for).

    Every word becomes a term in the stemmed title, tags and body (their weights are
    indexed: a title token is there three times) and in the exact words at weight 0.5;
    a quoted phrase becomes a phrase in each field. Scores are BM25 (k1 = 1.2, b = 0.75)
    summed over the clauses a document matches, each term boosted by weigh(field, term)
    (idf_ratio: Whoosh's idf in place of tantivy's). Field syntax ("title:x") is no syntax
    here: the colon separates words like any other character.
    """
    cleaned = re.sub(r"[^\w\s\"'.:-]", " ", text, flags=re.UNICODE).strip()
    if not cleaned:
        return None
    clauses = []
    rest = QUOTED.sub(" ", cleaned)
    for phrase in QUOTED.findall(cleaned):
        clauses += _segment(schema, phrase, stemmed, exact, True, weigh)
    for word in rest.replace('"', " ").split():
        clauses += _segment(schema, word, stemmed, exact, False, weigh)
    if not clauses:
        return None
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in clauses])


# Terms one search tells apart: each scores its own power of two, exact in float32 to 2^24.
TERMS_PER_SEARCH = 24


def holders_of(index, terms: list[str], mask: frozenset[int] | None) -> dict[str, set[int]]:
    """Return, per stemmed term, the doc ids (within `mask`) whose title, tags or body hold it.

    One search answers up to TERMS_PER_SEARCH terms (a filtered search costs about the same
    for one term as for twenty): term i scores the constant 2^i in a document that holds it,
    so a document's score s = Σ_{i held} 2^i says which it holds, bit i of s being term i.
    """
    out: dict[str, set[int]] = {t: set() for t in terms}
    searcher = index.searcher()
    limit = max(len(mask) if mask is not None else int(searcher.num_docs), 1)
    for start in range(0, len(terms), TERMS_PER_SEARCH):
        part = terms[start : start + TERMS_PER_SEARCH]
        clauses = []
        for bit, term in enumerate(part):
            held = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(index.schema, f, term))
                 for f in STEMMED]
            )  # fmt: skip
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(held, 2.0**bit)))
        found = index._filtered(tantivy.Query.boolean_query(clauses), mask, searcher)
        hits = guarded(lambda q=found: searcher.search(q, limit, count=False).hits)
        ids = guarded(lambda h=hits: searcher.fast_field_values("doc_id", [a for _, a in h]))
        for (score, _), doc_id in zip(hits, ids, strict=True):
            bits = int(round(score))
            for bit, term in enumerate(part):
                if bits >> bit & 1:
                    out[term].add(int(doc_id))
    return out


def coverage(
    index,
    text: str,
    allowed: Collection[int] | None,
    groups: Iterable[Iterable[str]] | None,
    among: Collection[int] | None,
) -> dict[int, float]:
    """Return c(d) = Σ_{g held by d} w(g) / Σ_g w(g), w(g) = ln(N / (df_body(g) + 1)) + 1.

    A group no document holds weighs the largest idf, ln(N + 1) + 1; a group of several
    terms is held when any of them is and weighs its best-known term's idf.
    """
    groups = term_groups(index._stemmed, text, groups)
    if not groups:
        return {}
    searcher = index.searcher()
    docs = int(searcher.num_docs)
    ceiling = math.log(docs + 1) + 1
    mask = None
    for limit in (allowed, among):
        if limit is not None:
            limited = frozenset(int(d) for d in limit)
            mask = limited if mask is None else mask & limited
    idf: dict[str, float] = {}
    for term in dict.fromkeys(t for group in groups for t in group):
        if any(doc_freq(searcher, f, term) for f in STEMMED):
            body = doc_freq(searcher, "body", term)
            idf[term] = math.log(docs / (body + 1)) + 1 if docs else 1.0
    held = holders_of(index, list(idf), mask) if idf and (mask is None or mask) else {}
    weights, holders = [], []
    for group in groups:
        known = [t for t in group if t in idf]
        weights.append(max(idf[t] for t in known) if known else ceiling)
        holders.append(set().union(*(held.get(t, ()) for t in known)))
    return coverage_shares(weights, holders)


def id_filter(schema, ids: Collection[int]):
    """Return a filter that scores nothing and lets only these doc ids through."""
    found = tantivy.Query.term_set_query(schema, "doc_id", sorted(int(d) for d in ids))
    return tantivy.Query.const_score_query(found, 0.0)


def reader_filter(schema, keys, behind: frozenset[int], let_in: frozenset[int]):
    """Return a filter that scores nothing and lets through the documents one of the reader
    keys opens, except the ids `behind` (indexed at another revision), and the ids `let_in`.

    passes(d) = (readers(d) ∩ keys ≠ ∅ ∧ d ∉ behind) ∨ d ∈ let_in
    """
    must, should = tantivy.Occur.Must, tantivy.Occur.Should
    found = tantivy.Query.term_set_query(schema, "readers", sorted(keys))
    if behind:
        held = tantivy.Query.term_set_query(schema, "doc_id", sorted(behind))
        found = tantivy.Query.boolean_query([(must, found), (tantivy.Occur.MustNot, held)])
    if let_in:
        found = tantivy.Query.boolean_query([(should, found), (should, id_filter(schema, let_in))])
    return tantivy.Query.const_score_query(found, 0.0)


def within(a: str, b: str, maxdist: int) -> bool:
    """Tell whether the Levenshtein distance between two words is at most `maxdist`."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(row) > maxdist:
            return False
        prev = row
    return prev[-1] <= maxdist
