"""How far an indexing round has come, in the log; and how a round is told to stop."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("kb.indexer")


class IndexingStopped(Exception):
    """The indexer was told to stop in the middle of a round; what it embedded is kept."""


class LogProgress:
    """A tqdm-like progress bar that writes a line to the log at most every few seconds.

    Given a `stop` event, an update after it was set raises IndexingStopped: a round that
    embeds for minutes stops within one batch when its server is gone.
    """

    def __init__(
        self, label: str, total: int, every: float = 5.0, stop: threading.Event | None = None
    ) -> None:
        self.label, self.total, self.every = label, total, every
        self.done = 0
        self._stop = stop
        self._last = time.monotonic()
        log.info("%s: %d passages to embed", label, total)

    def update(self, n: int) -> None:
        if self._stop is not None and self._stop.is_set():
            raise IndexingStopped(f"stopped after {self.done} of {self.total} passages")
        self.done += n
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            log.info("%s: %d of %d passages embedded", self.label, self.done, self.total)

    def close(self) -> None:
        log.info("%s: %d of %d passages embedded, done", self.label, self.done, self.total)


def log_progress(total: int) -> LogProgress:
    """Return a progress bar for sync_vectors that reports to the log."""
    return LogProgress("indexing", total)
