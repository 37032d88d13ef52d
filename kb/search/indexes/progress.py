"""How far an indexing round has come, in the log and in the semantic legs; and how a round
is told to stop."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np

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


def held_chunks(legs) -> np.ndarray:
    """Return the sorted chunk ids that every semantic leg holds or left out for time.

    `legs` is [(index, over_budget)] as encode_missing has them; a passage left out for time
    counts as done: it is found by its words and is not embedded again.
    """
    held = None
    for index, over in legs:
        have = np.union1d(index.ids(), np.fromiter(over, dtype=np.int64, count=len(over)))
        held = have if held is None else np.intersect1d(held, have, assume_unique=True)
    return np.zeros(0, dtype=np.int64) if held is None else held


def coverage(chunk_ids: np.ndarray, held: np.ndarray) -> tuple[int, int]:
    """Return (done, total): how many of these passages the semantic legs hold."""
    return int(np.isin(chunk_ids, held).sum()), len(chunk_ids)
