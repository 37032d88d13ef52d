"""Each leg's noise over the current indexes, kept up to date without making a search wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from kb.search.calibration import Null, calibrate

# While documents keep arriving (an ingest beside the server), the noise is measured again at
# most this often: 30 null questions cost the server about half a second of CPU each time, and
# one more document moves the noise of a whole collection by next to nothing.
REMEASURE_SECONDS = 20.0
# A collection that grew or shrank by more than this share is measured again at once (in the
# background all the same): the noise of the first few documents says little about a whole
# bundle ingested after them, but searching meanwhile on it beats waiting for the new one.
RESIZE_SHARE = 0.1


class NoiseFloor:
    """Measure the null questions once per index state; after the first, in the background.

    The first measurement (or one for other search settings) is made by the search that needs
    it, and the searches arriving meanwhile wait on a lock, which costs no CPU. Once a noise is
    known, a swap of the indexes keeps it in use while one background thread measures the new
    state (at once when the collection changed size by a tenth, else at most every
    REMEASURE_SECONDS), so no search waits behind the measurement of an index: under an
    ingest beside 20 colleagues searching, measuring in the request made searches wait
    seconds behind it.
    """

    def __init__(self, measure: Callable = calibrate, every: float = REMEASURE_SECONDS):
        self._measure = measure
        self._every = every
        self._lock = threading.Lock()
        self._key: tuple | None = None  # ((state objects...), params) the noise was measured on
        self._size = 0  # how many documents that state held
        self._null: Mapping[str, Null] | None = None
        self._measured_at = float("-inf")
        self._busy = False

    def forget(self) -> None:
        """Drop what was measured, as if no index had been searched yet."""
        with self._lock:
            self._key, self._null = None, None

    def known(self) -> bool:
        """Tell whether some noise has been measured (a search need not wait for one)."""
        return self._null is not None

    def of(self, state: tuple, params, null_scores: Callable, size: int) -> Mapping[str, Null]:
        """Return the noise for this index state of `size` documents and these settings
        (null_scores: question -> each leg's scores)."""
        key, null = self._key, self._null
        if null is not None and self._same(key, state, params):
            return null
        if null is not None and key[1] == params:
            self._refresh(state, params, null_scores, size)
            return null
        with self._lock:
            key = self._key
            if self._null is None or key[1] != params:
                self._null = self._measure(null_scores)
                self._key, self._size = (state, params), size
                self._measured_at = time.monotonic()
            return self._null

    def _near(self, size: int) -> bool:
        return abs(size - self._size) <= RESIZE_SHARE * max(size, self._size)

    @staticmethod
    def _same(key, state: tuple, params) -> bool:
        return key[1] == params and all(a is b for a, b in zip(key[0], state, strict=True))

    def _refresh(self, state: tuple, params, null_scores: Callable, size: int) -> None:
        """Measure a newer state in one background thread, not more often than every few s."""
        with self._lock:
            recent = time.monotonic() - self._measured_at < self._every
            if self._busy or (recent and self._near(size)):
                return
            self._busy = True

        def run() -> None:
            try:
                null = self._measure(null_scores)
                with self._lock:
                    self._key, self._null, self._size = (state, params), null, size
                    self._measured_at = time.monotonic()
            finally:
                with self._lock:
                    self._busy = False

        threading.Thread(target=run, name="kb-noise", daemon=True).start()
