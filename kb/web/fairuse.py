"""Fair use of the server's threads: one upload in flight per colleague, a few at a time in all.

Reading an upload (in the sandbox) can take seconds. A colleague's second upload meanwhile, or
one more than the extraction slots, is answered at once with "try again" instead of holding a
server thread while it waits its turn.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from kb.limits import EXTRACTION_SLOTS, UPLOADS_IN_FLIGHT_PER_PERSON


class UploadSlots:
    """Count uploads in flight per person and in all; refuse instead of waiting."""

    def __init__(
        self, slots: int = EXTRACTION_SLOTS, per_person: int = UPLOADS_IN_FLIGHT_PER_PERSON
    ) -> None:
        self.slots, self.per_person = slots, per_person
        self._lock = threading.Lock()
        self._busy = 0
        self._by_person: dict[str, int] = {}

    @contextmanager
    def take(self, person: str):
        """Yield None with a slot held, else the reason there is none ("yours" or "full")."""
        with self._lock:
            if self._by_person.get(person, 0) >= self.per_person:
                reason = "yours"
            elif self._busy >= self.slots:
                reason = "full"
            else:
                reason = None
                self._busy += 1
                self._by_person[person] = self._by_person.get(person, 0) + 1
        if reason:
            yield reason
            return
        try:
            yield None
        finally:
            with self._lock:
                self._busy -= 1
                left = self._by_person[person] - 1
                if left:
                    self._by_person[person] = left
                else:
                    del self._by_person[person]


def init_app(app) -> None:
    """Give the app its upload slots (EXTRACTION_SLOTS in the config overrides the default)."""
    app.extensions["kb_upload_slots"] = UploadSlots(
        slots=app.config.get("EXTRACTION_SLOTS", EXTRACTION_SLOTS)
    )
