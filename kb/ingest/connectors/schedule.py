"""A running server's syncs on a schedule: each in a child process (`kb sync --no-index`).

The child runs below serving (kb.toml's indexer_nice, like the indexer), stores through the
store and leaves the indexes to the server's indexer, which notices the change on its own.
A child that dies leaves nothing half-done (every file is one transaction); the next run
carries on where it stopped. Request threads never wait for any of it.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from kb.ingest.connectors.config import SyncConfig

log = logging.getLogger("kb.sync")

FIRST_SECONDS = 5.0  # the first run after the server starts
RUN_TIMEOUT = 3600.0  # a sync that takes longer is stopped; the next one carries on


class SyncSchedule:
    """Start `kb sync NAME --no-index` for each source every `every_minutes`, one at a time."""

    def __init__(self, instance: Path, configs: list[SyncConfig]) -> None:
        self.instance = Path(instance)
        self.configs = [c for c in configs if c.every_minutes > 0]
        self._stop = threading.Event()
        self._due = {c.name: time.monotonic() + FIRST_SECONDS for c in self.configs}
        self._thread = threading.Thread(target=self._run, name="kb-sync", daemon=True)
        self.runs = 0
        self.last_code: int | None = None

    def start(self) -> SyncSchedule:
        if self.configs:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def command(self, name: str) -> list[str]:
        """Return the child's command line."""
        return [sys.executable, "-m", "kb.cli", "--instance", str(self.instance), "sync"] + [
            name,
            "--no-index",
        ]

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for config in self.configs:
                if self._stop.is_set() or self._due[config.name] > now:
                    continue
                self._sync(config.name)
                self._due[config.name] = time.monotonic() + config.every_minutes * 60
            self._stop.wait(min(self._due.values()) - time.monotonic() if self._due else 60)

    def _sync(self, name: str) -> None:
        try:
            done = subprocess.run(
                self.command(name),
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("sync %s did not finish: %s; the next run carries on", name, exc)
            return
        self.runs += 1
        self.last_code = done.returncode
        for line in done.stdout.splitlines():
            log.info("%s", line)
        if done.returncode:
            log.error("sync %s ended with exit code %d: %s", name, done.returncode, done.stderr)
