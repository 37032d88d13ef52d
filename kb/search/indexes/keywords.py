"""The keyword leg's protocol: what the search asks of a keyword engine, and which one runs.

Two engines implement it, both fed kb's own Swedish analysis (kb.search.indexes.analysis):
Whoosh (kb.search.indexes.keyword, the reference, for small installations) and tantivy
(kb.search.indexes.tantivy_keyword); kb.search.indexes.backends picks the one kb.toml names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kb.config import KEYWORD_BACKENDS as BACKENDS
from kb.config import Settings

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "KeywordDoc", "KeywordHit", "KeywordIndex"]

DEFAULT_BACKEND = Settings.keyword_backend
# Index-time weights of the fields (a word in the title counts three times), shared by both.
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0, "exact": 0.5}


def analysed_terms(analyzer, text: str) -> list[str]:
    """Return the distinct stemmed terms of a query, as the body field indexes them."""
    cleaned = re.sub(r"[^\w\s-]", " ", text, flags=re.UNICODE)
    return list(dict.fromkeys(t.text for t in analyzer(cleaned, mode="query")))


def term_groups(analyzer, text: str, groups: Iterable[Iterable[str]] | None) -> list[list[str]]:
    """Return the query's words as groups of analysed terms: one term a group from `text`,
    or each of `groups` (words any of which holds it) analysed; empty groups left out."""
    if groups is None:
        found = [[term] for term in analysed_terms(analyzer, text)]
    else:
        found = [[t for word in group for t in analysed_terms(analyzer, word)] for group in groups]
    return [g for g in found if g]


def coverage_shares(
    weights: list[float], holders: list[Iterable[Hashable]]
) -> dict[Hashable, float]:
    """Return c(d) = Σ_{g: d ∈ H_g} w_g / Σ_g w_g, a document's share of the weighted groups
    it holds (H_g: the holders of group g, w_g its weight)."""
    total = sum(weights)
    share: dict[Hashable, float] = {}
    for weight, held in zip(weights, holders, strict=True):
        for doc in held:
            share[doc] = share.get(doc, 0.0) + weight / total
    return share


@dataclass(frozen=True)
class KeywordDoc:
    """What the keyword leg needs of one document."""

    doc_id: int
    revision: int
    title: str
    tags: str
    body: str
    # Who may open it (kb.access.readers_of), as the database said at this revision.
    readers: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeywordHit:
    doc_id: int
    score: float


class KeywordIndex(Protocol):
    """A keyword index in one folder, derived from the database and rebuildable from it.

    A mask (`allowed_mask`) is the engine's own form of a set of allowed doc ids; None means
    every document. Every answer counts only the allowed documents.
    """

    path: Path
    backend: str

    def open(self, create: bool = False) -> None: ...

    def verify(self) -> None: ...

    def close(self) -> None: ...

    def tidy(self) -> None: ...

    def doc_count(self) -> int: ...

    def revisions(self) -> dict[int, int]: ...

    def apply(
        self,
        upserts: Iterable[KeywordDoc],
        deletes: Iterable[int],
        added: Iterable[KeywordDoc] = (),
    ) -> None:
        """Write `upserts` (replacing what the index holds of them), delete `deletes` and
        add `added` (documents it does not hold: no older copy is looked for), in one commit."""

    def search(
        self,
        text: str,
        allowed: Collection[int] | None,
        limit: int,
        expansions: Collection[str] = (),
        expansion_weight: float = 0.0,
    ) -> list[KeywordHit]: ...

    def knows_any(self, query_text: str, allowed: Collection[int] | None = None) -> bool: ...

    def allowed_mask(self, allowed: Collection[int] | None) -> Any: ...

    def word_frequency(self, word: str, mask: Any) -> int: ...

    def near_words(self, word: str, maxdist: int, mask: Any) -> dict[str, int]: ...

    def coverage(
        self,
        text: str,
        allowed: Collection[int] | None,
        groups: Iterable[Iterable[str]] | None = None,
        among: Collection[int] | None = None,
    ) -> dict[int, float]: ...

    def snippet(self, query_text: str, document_text: str, max_chars: int = 300) -> str | None: ...
