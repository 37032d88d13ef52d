"""Searches counted toward the gaps, written by one thread in the background."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from kb.upkeep import gaps

log = logging.getLogger(__name__)

# How long a counted search may wait in memory before it is written.
FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class Counted:
    """One search waiting to be written: its words, the asker's tag, hits, time, token."""

    text: str
    tag: str
    hits: int
    at: datetime
    token: str | None


class SearchLog:
    """Count searches toward the gaps without making a search wait for the database.

    A search answers at once, with the token its hits' click-through carries; one writer
    thread writes what waits every FLUSH_SECONDS in one transaction, so when an ingest holds
    the database only that thread waits, not the colleagues searching. Reading the gaps or
    noting a click writes what waits first, so they always see every search. A search still
    in memory when the process is killed is not counted: a side count, never a document.
    """

    def __init__(self, session: Callable, window: timedelta, every: float = FLUSH_SECONDS):
        self._session = session  # a context manager that commits: kb.db.Database.write
        self._window = window
        self._every = every
        self._lock = threading.Lock()  # guards the queue
        self._writing = threading.Lock()  # one writer at a time, in order
        self._queue: list[Counted] = []
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None

    def add(self, text: str, tag_of: Callable[[str], str], hits: int, now: datetime) -> str | None:
        """Queue a search; return its click-through token (None: nothing to wait for)."""
        key = gaps.gap_key(text)
        if not key:
            return None
        token = secrets.token_hex(16) if hits else None
        with self._lock:
            self._queue.append(Counted(text, tag_of(key), hits, now, token))
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="kb-searchlog", daemon=True)
                self._thread.start()
        return token

    def flush(self, now: datetime | None = None) -> None:
        """Write every waiting search, and fold the pending ones older than the click window."""
        with self._writing:
            with self._lock:
                waiting, self._queue = self._queue, []
            if not waiting and now is None:
                return
            try:
                with self._session() as session:
                    for c in waiting:
                        gaps.record(session, c.text, lambda _k, t=c.tag: t, c.hits, c.at, c.token)
                    latest = max([c.at for c in waiting] + ([now] if now else []))
                    gaps.fold(session, latest, self._window)
            except SQLAlchemyError:
                # Counting is a side matter: a busy or read-only database must not fail a search.
                log.warning("%d searches not counted toward the gaps", len(waiting), exc_info=True)

    def forget(self, token: str) -> bool:
        """Drop a waiting search whose hit was opened; return whether it was waiting."""
        with self._lock:
            kept = [c for c in self._queue if c.token != token]
            found, self._queue = len(kept) < len(self._queue), kept
        return found

    def close(self) -> None:
        """Write what waits and stop the writer."""
        self._closed = True
        self._wake.set()
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self._every)
            self.flush()
