"""Search: one search for one viewer, and the search page read in one session."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from sqlalchemy.orm import Session

from kb.access import Viewer
from kb.catalog import Catalog, Filters
from kb.config import Settings
from kb.db import Database
from kb.search.query.answer import AnswerParams, Quoted, extract, learning_groups, topics
from kb.search.query.calibration import Null
from kb.search.query.hybrid import SORTS, HybridSearcher, SearchParams, SearchRequest, SearchResult
from kb.search.query.texts import StoredTexts
from kb.search.query.translate import is_english
from kb.search.serving.noise import NoiseFloor
from kb.search.serving.snapshots import IndexSnapshots
from kb.services.documents import Documents
from kb.services.people import People
from kb.services.upkeep import Upkeep


@dataclass(frozen=True)
class SearchAnswer:
    """A search as asked, its result and each hit's catalog brief (authors, date, language)."""

    query: str
    filters: Filters
    offset: int
    limit: int
    result: SearchResult | None = None
    briefs: dict[str, dict] = field(default_factory=dict)
    sort: str = SORTS[0]
    names: dict[str, str] = field(default_factory=dict)  # of the authors in the facets
    # The hits' sources that are past their review date.
    overdue: frozenset[str] = frozenset()
    # The token a hit's click-through carries (page and API searches; None on the CLI).
    search_id: str | None = None
    # The legs still being rebuilt from the database after a damaged index was set aside:
    # until they are back the search finds less, and says so.
    rebuilding: tuple[str, ...] = ()
    # How far the semantic legs have come, (done, total) passages the viewer may open, while
    # a long round still embeds them (kb.search.serving.fillin); None once they hold all.
    semantic: tuple[int, int] | None = None
    # The extractive answer above the hits (kb.search.query.answer): () when it abstains.
    answer: tuple[Quoted, ...] = ()


class Finder:
    """Searches over the current snapshot, each reading the database in one session."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        indexes: IndexSnapshots,
        people: People,
        documents: Documents,
        upkeep: Upkeep,
    ) -> None:
        self.settings, self.db, self.indexes = settings, db, indexes
        self.people, self.documents, self.upkeep = people, documents, upkeep
        # Each leg's noise, measured once per index state (in the background once known).
        self.noise = NoiseFloor()
        self._query_cache: dict = {}

    def params(self) -> SearchParams:
        """Return the search parameters kb.toml sets."""
        s = self.settings
        return SearchParams(
            weights=s.weights,
            rrf_k=s.rrf_k,
            candidates=s.candidates,
            learned_boost=s.learned_boost,
            language_priors=s.language_priors,
            gate_z=SearchParams.gate_z if s.cutoff else None,
        )

    def searcher(
        self, session: Session | None = None, catalog: Catalog | None = None
    ) -> HybridSearcher:
        """Return a hybrid searcher over the current snapshot that reads texts in session
        (without one, in a session of their own each time)."""
        ix = self.indexes
        documents, chunks = self._texts(session)
        return HybridSearcher(
            catalog or ix.catalog(session),
            ix.keyword,
            ix.vectors,
            ix.embedder,
            self.params(),
            documents,
            sparse_index=ix.sparse_index,
            sparse_encoder=ix.sparse_encoder,
            centroids=ix.centroids,
            chunk_texts=chunks,
            calibration=self.calibration,
            query_cache=self._query_cache,
        )

    def warm_up(self) -> threading.Thread:
        """Load the query models and measure the noise in the background after a start, so the
        first colleagues to search do not each wait for them (a failure shows in the log)."""
        thread = threading.Thread(
            target=lambda: self.calibration(self.searcher()), name="kb-warm-up", daemon=True
        )
        thread.start()
        return thread

    def search_ready(self) -> bool:
        """Tell whether a search needs no more warming up (models loaded, noise measured)."""
        return self.noise.known()

    def calibration(self, searcher: HybridSearcher) -> Mapping[str, Null]:
        """Return each leg's noise over the searcher's indexes (kb.search.serving.noise)."""
        state = (searcher.catalog, searcher.vectors, searcher.sparse_index, searcher.keyword)
        size = len(searcher.catalog.docs)
        return self.noise.of(state, searcher.params, searcher.null_scores, size)

    def _texts(self, session: Session | None):
        """Return the readers of documents' and passages' texts a searcher is given."""
        if session is not None:
            texts = StoredTexts(session)
            return texts.documents, texts.chunks

        def reading(method):
            def read(ids):
                with self.db.read() as own:
                    return method(StoredTexts(own), ids)

            return read

        return reading(StoredTexts.documents), reading(StoredTexts.chunks)

    def search(self, request: SearchRequest) -> SearchResult:
        """Search for one viewer."""
        with self.db.read() as session:
            return self.searcher(session).search(request)

    def page(
        self,
        viewer: Viewer,
        text: str,
        filters: Filters | None = None,
        offset: int = 0,
        limit: int = 10,
        method: str | None = None,
        sort: str = SORTS[0],
        count: bool = False,
    ) -> SearchAnswer:
        """Answer a search page: the hits with their authors' names and review states, read
        in one session from one state of the database (kb.db.Database.snapshot); `count`
        counts a first page toward the search gaps. An empty question asks nothing."""
        text = (text or "").strip()
        filters = filters or Filters()
        if not text:
            return SearchAnswer(text, filters, offset, limit, sort=sort)
        request = SearchRequest(
            text=text,
            viewer=viewer,
            filters=filters,
            limit=limit,
            offset=offset,
            method=method or self.settings.fusion_method,
            sort=sort,
        )
        with self.db.snapshot() as session:
            catalog = self.indexes.catalog(session)
            searcher = self.searcher(session, catalog)
            result = searcher.search(request)
            quoted = self.answer(searcher, text, result) if not offset else []
            shown = result.hits + result.closest
            infos = [catalog.docs[h.doc_id] for h in shown]
            briefs = {b["source"]: b for b in self.documents.briefs(infos, session)}
            states = self.upkeep.freshness_of(viewer, [h.source for h in shown], session)
            authors = {
                *result.facets.get("author", {}),
                *([filters.author] if filters.author else []),
            }
            names = self.people.person_names(sorted(authors), session)
        search_id = None
        if count and not offset:
            search_id = self.upkeep.record_search(viewer, text, result.total)
        return SearchAnswer(
            text,
            filters,
            offset,
            limit,
            result,
            briefs,
            sort=sort,
            names=names,
            overdue=frozenset(s for s, state in states.items() if state.overdue),
            search_id=search_id,
            rebuilding=tuple(self.indexes.rebuilding_legs()),
            semantic=self.indexes.semantic_progress(catalog, viewer),
            answer=tuple(quoted),
        )

    def quote(self, text: str, doc_ids: list[int]) -> list[Quoted]:
        """Quote the sentences that answer a question from these documents, best first, which
        the caller found for the viewer (the "Vad har vi lärt oss?" page's reflections)."""
        if not doc_ids or self.indexes.sentences.current() is None:
            return []  # answers off, or nothing to quote: no session, no searcher
        with self.db.read() as session:
            return self._quoted(self.searcher(session), text, doc_ids)

    def _quoted(self, searcher: HybridSearcher, text: str, ids: list[int]) -> list[Quoted]:
        """Return the quoted sentences of an answer from these hits (none when answers are off)."""
        sentences = self.indexes.sentences.current()
        if sentences is None or not ids:
            return []
        q = searcher.question("dense", text)
        docs = searcher.catalog.docs
        catalog = searcher.catalog
        quoted = extract(
            text,
            q,
            ids,
            sentences,
            AnswerParams(),
            topics(catalog, ids),
            learning_groups(catalog, ids),
        )
        return [replace(s, source=docs[s.doc_id].source) for s in quoted]

    def answer(self, searcher: HybridSearcher, text: str, result: SearchResult) -> list[Quoted]:
        """Quote the sentences that answer a question from its hits, which the viewer may all
        open; none when the search is not confident (only the closest material) or answers
        are off in kb.toml."""
        return self._quoted(searcher, text, [h.doc_id for h in result.hits])


def answer_groups(answer: tuple[Quoted, ...], briefs: dict, question: str) -> dict | None:
    """Return the answer's quoted sentences grouped by document (a learning group's meeting
    reads as one voice), groups in the order of their best sentence, sentences as written.

    Each sentence's `link` opens its document with the sentence marked (?passage=…#passage);
    `english` says the question was English and a group's `language` what its words are in.
    `contrasts` holds the pairs of sentences in which two groups saw the topic differently
    (kb.search.query.contrast), each side with its group's label; those sentences are marked
    `contrast: true` in their groups, so a page shows them once, side by side.
    """
    if not answer:
        return None
    groups: dict[str, dict] = {}
    sides: list[dict] = []
    for quoted in answer:
        source = quoted.source
        brief = briefs[source]
        group = groups.setdefault(
            source,
            {
                "label": voice(brief),
                "source": source,
                "title": brief["title"],
                "kind": brief["kind"],
                "date": brief["date"].isoformat() if brief.get("date") else None,
                "language": brief.get("language"),
                "authors": brief["authors"],
                "sentences": [],
            },
        )
        sentence = {
            "text": quoted.text,
            "section": quoted.section,
            "start": quoted.start,
            "link": f"/doc/{quote(source)}?passage={quote(quoted.text)}#passage",
            "contrast": quoted.against >= 0,
        }
        group["sentences"].append(sentence)
        sides.append({"label": group["label"], "source": source, **sentence})
    for group in groups.values():
        group["sentences"].sort(key=lambda s: s["start"])
    contrasts = [[sides[i], sides[q.against]] for i, q in enumerate(answer) if i < q.against]
    return {
        "english": is_english(question),
        "groups": list(groups.values()),
        "contrasts": contrasts,
    }


def voice(brief: dict) -> str:
    """Name who speaks in a group of sentences: "Läsgruppen F-6, hösten 2025" or a title."""
    day = brief.get("date")
    if brief["kind"] != "reflection" or not brief.get("group") or day is None:
        return brief["title"]
    return f"{brief['group']}, {'våren' if day.month <= 6 else 'hösten'} {day.year}"
