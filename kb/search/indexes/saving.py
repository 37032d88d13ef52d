"""Save the vector and sparse indexes of a round, and the chunks left out of them for time."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from kb.files import replace_bytes

log = logging.getLogger("kb.indexer")

LEG_NAMES = ("dense", "sparse")
# A long round saves what it embedded this often, so a killed indexer's work is kept ...
CHECKPOINT_SECONDS = 10.0
# ... and writes documents shared meanwhile to the keyword index this often.
REFRESH_SECONDS = 2.0


class Saving:
    """Save the indexes a round is building as they are, so a stopped round's work is kept."""

    def __init__(self, vectors, vector_path: Path, label: str, budget_file: Path, over) -> None:
        self.vectors, self.vector_path, self.label = vectors, vector_path, label
        self.budget_file, self.over = budget_file, over
        self.sparse: tuple | None = None
        self.refresh = None
        self._saved = self._refreshed = time.monotonic()

    def between(self) -> None:
        """Between two batches: save now and then, and let the keyword index catch up."""
        now = time.monotonic()
        if now - self._saved >= CHECKPOINT_SECONDS:
            self.keep()
            self._saved = time.monotonic()
        if self.refresh is not None and now - self._refreshed >= REFRESH_SECONDS:
            written, deleted = self.refresh()
            if written or deleted:
                log.info("keyword index: %d written, %d deleted meanwhile", written, deleted)
            self._refreshed = time.monotonic()

    def finish(self, added: tuple[int, int], changed: tuple[bool, bool], over_before: str):
        """Save what a round changed (or an index missing on disk) and the left-out chunks;
        `added` and `changed` are (dense, sparse)."""
        if changed[0] or not (self.vector_path / "vectors.faiss").exists():
            if added[0]:
                self.vectors.engines.add(self.label)
            self.vectors.save(self.vector_path)
        if self.sparse is not None:
            index, path, label = self.sparse
            if changed[1] or not (path / "sparse.npz").exists():
                if added[1]:
                    index.engines.add(label)
                index.save(path)
        if over_budget_text(self.over) != over_before:
            write_over_budget(self.budget_file, self.over)

    def keep(self) -> None:
        """Write every index of the round with what it holds now (each file atomically)."""
        if len(self.vectors):
            self.vectors.engines.add(self.label)
            self.vectors.save(self.vector_path)
        if self.sparse is not None and len(self.sparse[0]):
            index, path, label = self.sparse
            index.engines.add(label)
            index.save(path)
        write_over_budget(self.budget_file, self.over)


def read_over_budget(path: Path) -> dict[str, dict[int, int]]:
    """Read which chunks were left out for time, per index ({chunk id: document id})."""
    try:
        raw = json.loads(path.read_text())
        return {leg: {int(c): int(d) for c, d in raw.get(leg, {}).items()} for leg in LEG_NAMES}
    except (OSError, ValueError, AttributeError):
        return {leg: {} for leg in LEG_NAMES}


def write_over_budget(path: Path, over: dict[str, dict[int, int]]) -> None:
    """Write the left-out chunks next to the indexes (derived state, like the indexes)."""
    text = json.dumps({leg: {str(c): d for c, d in m.items()} for leg, m in over.items()})
    replace_bytes(path, text.encode())


def over_budget_text(over: dict) -> str:
    """Return the left-out chunks as text, to tell whether a round changed them."""
    return json.dumps(over, sort_keys=True)
