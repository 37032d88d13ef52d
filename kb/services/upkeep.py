"""Upkeep: review states, search gaps and material requests, each told who is asking (a
document the asker may not open is never named)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kb.access import Viewer
from kb.config import Settings, instance_secret
from kb.db import Database
from kb.search.serving.snapshots import IndexSnapshots
from kb.services.people import People
from kb.upkeep import asks, gaps
from kb.upkeep.freshness import Freshness, freshness
from kb.upkeep.searchlog import SearchLog

log = logging.getLogger(__name__)


class Upkeep:
    """Who owns and reviews what, what colleagues search in vain, what they ask for."""

    def __init__(
        self, settings: Settings, db: Database, indexes: IndexSnapshots, people: People
    ) -> None:
        self.settings, self.db, self.indexes, self.people = settings, db, indexes, people
        window = timedelta(minutes=settings.click_window_minutes)
        # Searches are counted by one writer thread: no search waits for the database.
        self.search_log = SearchLog(db.write, window)

    # ------------------------------------------------------------ owners and review dates
    def freshness(
        self, viewer: Viewer, sources=None, session: Session | None = None
    ) -> list[Freshness]:
        """Return the review state of the documents the viewer may open (these, or all)."""
        if session is None:
            with self.db.read() as own:
                return self.freshness(viewer, sources, own)
        catalog = self.indexes.catalog(session)
        if sources is not None:
            sources = [s for s in sources if catalog.may_open(viewer, s)]
        states = freshness(session, self.settings, sources)
        return [s for s in states if catalog.may_open(viewer, s.source)]

    def freshness_of(
        self, viewer: Viewer, sources, session: Session | None = None
    ) -> dict[str, Freshness]:
        """Return {source: review state} of these documents the viewer may open."""
        return {s.source: s for s in self.freshness(viewer, list(sources), session)}

    def owned_by(self, viewer: Viewer, person_id: str | None = None) -> list[Freshness]:
        """Return the documents a person (the viewer by default) owns, overdue first."""
        person_id = person_id or viewer.person_id
        mine = [s for s in self.freshness(viewer) if person_id in s.owners]
        return sorted(mine, key=lambda s: (not s.overdue, s.review_by, s.source))

    def overdue_for(self, viewer: Viewer) -> list[Freshness]:
        """Return the viewer's own documents past their review date, most overdue first."""
        return [s for s in self.owned_by(viewer) if s.overdue]

    def unowned(self, viewer: Viewer) -> list[Freshness]:
        """Return the documents the viewer may open that nobody still here owns."""
        return [s for s in self.freshness(viewer) if s.unowned]

    def may_open_as(self, person_id: str, source: str) -> bool:
        """Tell whether a person (by id; an unknown one may not) may open a document."""
        try:
            return self.indexes.catalog().may_open(self.people.viewer(person_id), source)
        except LookupError:
            return False

    def owner_choices(self, source: str) -> list[dict]:
        """Return the colleagues with a profile who may open a document: whom it may be
        handed to ([{id, name}] by name)."""
        return [p for p in self.people.profile_refs() if self.may_open_as(p["id"], source)]

    def may_review(self, viewer: Viewer, state: Freshness) -> bool:
        """Tell whether the viewer may mark a document reviewed or change its owners: one of
        its owners, a coordinator (who takes over what nobody owns), or one of its authors
        when no owner may open it (handed over before kb refused that: never locked out).
        Each of them may open it (the state is only found for those who may)."""
        if viewer.is_system or viewer.person_id in state.owners:
            return True
        info = self.indexes.catalog().by_source.get(state.source)
        author = info is not None and viewer.person_id in info.authors
        if author and not any(self.may_open_as(o, state.source) for o in state.owners):
            return True
        return self.people.is_coordinator(viewer)

    # ------------------------------------------------------------ search gaps
    def _now(self) -> datetime:
        return datetime.combine(self.settings.as_of, datetime.now().time())

    def record_search(self, viewer: Viewer, text: str, hits: int, now=None) -> str | None:
        """Count a colleague's search toward the gaps (never who asked); return the token a
        hit's click-through carries, or None when there is nothing to wait for. Written in
        the background (kb.upkeep.searchlog): no search waits for the database."""
        if viewer.is_system or not viewer.person_id:
            return None
        secret = instance_secret(self.settings)
        return self.search_log.add(
            text, lambda k: gaps.asker_tag(secret, k, viewer.person_id), hits, now or self._now()
        )

    def record_click(self, token: str) -> bool:
        """Note that a hit of a search was opened: that search is no gap."""
        if self.search_log.forget(token):
            return True
        with self.db.write() as session:
            return gaps.clicked(session, token)

    def search_gaps(self, now=None, minimum: int = gaps.MIN_ASKERS) -> list[gaps.Gap]:
        """Return the gaps at least `minimum` colleagues ran into (pending searches folded)."""
        self.search_log.flush()
        with self.db.write() as session:
            window = timedelta(minutes=self.settings.click_window_minutes)
            gaps.fold(session, now or self._now(), window)
            return gaps.shown_gaps(session, minimum)

    def dismiss_gap(self, gap_id: int) -> bool:
        """Forget a gap that has been seen to."""
        with self.db.write() as session:
            return gaps.dismiss(session, gap_id)

    # ------------------------------------------------------------ material requests
    def material_requests(self, viewer: Viewer) -> list[asks.Ask]:
        """Return every request as the viewer sees it: an answer they may not open is none,
        so the request is still open for them."""
        catalog = self.indexes.catalog()
        with self.db.read() as session:
            found = asks.asks(session)
        out = []
        for a in found:
            shown = tuple(x for x in a.answers if catalog.may_open(viewer, x[0]))
            first = shown[0] if shown else (None, None)
            out.append(replace(a, answer=first[0], answered_on=first[1], answers=shown))
        return out

    def ask_material(self, viewer: Viewer, question: str) -> int:
        """Store a colleague's request for material; return its number."""
        with self.db.write() as session:
            return asks.create(session, question, viewer.person_id, self.settings.as_of)

    def vote_request(self, viewer: Viewer, request_id: int) -> bool:
        """Add the viewer's vote to a request; return whether it was new."""
        with self.db.write() as session:
            return asks.vote(session, request_id, viewer.person_id)

    def suggest_expert(self, request_id: int, expert_id: str) -> None:
        """Suggest a colleague as the one who could write a request's material."""
        with self.db.write() as session:
            asks.suggest(session, request_id, expert_id)

    def answer_request(self, viewer: Viewer, request_id: int, source: str) -> None:
        """Answer a request with material the viewer may open (earlier answers are kept)."""
        if not self.indexes.catalog().may_open(viewer, source):
            raise asks.RequestError("missing", f"there is no document {source}")
        with self.db.write() as session:
            asks.answer(session, request_id, source, self.settings.as_of)

    def requests_answered_by(self, viewer: Viewer, source: str) -> list[asks.Ask]:
        """Return the requests a document the viewer may open answers."""
        if not self.indexes.catalog().may_open(viewer, source):
            return []
        return [a for a in self.material_requests(viewer) if source in {x[0] for x in a.answers}]

    def close(self) -> None:
        """Write the searches still waiting and stop the writer thread."""
        self.search_log.close()
