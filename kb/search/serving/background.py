"""The one indexer of a running server: a background thread that brings the indexes up to date.

Request threads never embed. They store, nudge this worker and keep searching the last
complete snapshot; the worker builds the next one aside and swaps it in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kb.search.indexes.progress import IndexingStopped, LogProgress

log = logging.getLogger("kb.indexer")

# How often the worker looks for changes made by another process (`kb ingest`).
POLL_SECONDS = 2.0
# After a failed sync (a locked database, a full disk) try again after this long.
RETRY_SECONDS = 5.0


class IndexWorker:
    """Run `sync()` in one daemon thread whenever nudged or when `stale()` says so.

    `sync(progress)` brings the indexes up to date and swaps the new snapshot in; `stale()`
    tells cheaply whether the database has changed since the last snapshot.
    """

    def __init__(
        self,
        sync: Callable[..., object],
        stale: Callable[[], bool],
        poll: float = POLL_SECONDS,
        on_round: Callable[[object], None] | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self._sync = sync
        self._stale = stale
        self._poll = poll
        # Told the report (None when nothing was stale) after every round: a child indexer
        # tells the server through it that a new snapshot is on disk.
        self._on_round, self._on_start = on_round, on_start
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = False
        self._rounds = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="kb-indexer", daemon=True)

    @property
    def busy(self) -> bool:
        """Tell whether the worker is indexing right now."""
        return self._busy

    def start(self) -> IndexWorker:
        self._thread.start()
        return self

    def nudge(self) -> None:
        """Ask for a sync soon; returns at once."""
        self._wake.set()

    def progress(self, total: int) -> LogProgress:
        """Return the progress bar of a round: it stops the round once this worker is stopped."""
        return LogProgress("indexing", total, stop=self._stop)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop within one batch: the round keeps what it embedded (the swap is atomic, so
        stopping never tears an index)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until a sync that started after this call has finished and nothing is stale."""
        deadline = time.monotonic() + timeout
        with self._idle:
            target = self._rounds + 1
            self._wake.set()
            while True:
                if self._rounds >= target and not self._busy and not self._stale():
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(left, 0.5))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll)
            self._wake.clear()
            if self._stop.is_set():
                break
            report = None
            try:
                if self._rounds and not self._stale():
                    self._finish_round(None)
                    continue
                self._busy = True
                if self._on_start is not None:
                    self._on_start()
                started = time.monotonic()
                report = self._sync(progress=self.progress)
                if getattr(report, "changed", False):
                    log.info("indexes up to date in %.1f s: %s", time.monotonic() - started, report)
                self.last_error = None
            except IndexingStopped as exc:
                log.info("indexing %s; what was embedded is kept", exc)
                break
            except Exception as exc:  # keep serving the last good snapshot; try again later
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("indexing failed; the last complete indexes keep serving")
                self._stop.wait(RETRY_SECONDS)
            finally:
                self._busy = False
            self._finish_round(report)

    def _finish_round(self, report) -> None:
        if self._on_round is not None:
            self._on_round(report)
        with self._idle:
            self._rounds += 1
            self._idle.notify_all()
