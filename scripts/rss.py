"""Resident memory of a `kb serve` and its children, per component: for the load scripts.

A server's memory lives in three kinds of process: the server itself (the web app, the query
models, the loaded indexes, the caches), its indexer (the embedding model while it indexes)
and its file readers (the sandbox children that read uploads). `RssSampler` samples them every
few seconds and `report()` says the start, peak and end of each.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB (VmRSS), 0 when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+)", text)
    return int(found.group(1)) / 1024 if found else 0.0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def role(pid: int) -> str:
    """Name what a process of the server does, from its command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    if b"indexer" in argv:
        return "indexer"
    if b"serve" in argv:
        return "server"
    if any(b"sandbox" in a for a in argv):
        return "file readers"
    return "other"


def rss_by_role(root: int) -> dict[str, float]:
    """Return {role: MB} of a process and its descendants (the same role summed)."""
    out: dict[str, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        name = "server" if pid == root else role(pid)
        out[name] = out.get(name, 0.0) + rss_mb(pid)
        todo += _children(pid)
    return out


class RssSampler:
    """Sample rss_by_role(root) every `every` seconds in a thread until stopped."""

    def __init__(self, root: int, every: float = 5.0) -> None:
        self.root, self.every = root, every
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, rss_by_role(self.root)))
            self._stop.wait(self.every)

    def report(self) -> str:
        """Say start, peak and end MB of each component, and of all of them together."""
        if not self.samples:
            return "memory: no samples"
        roles = sorted({r for _, s in self.samples for r in s})
        lines = ["| component | start MB | peak MB | end MB |", "|---|---|---|---|"]
        for name in [*roles, "total"]:
            values = [
                sum(s.values()) if name == "total" else s.get(name, 0.0) for _, s in self.samples
            ]
            lines.append(f"| {name} | {values[0]:.0f} | {max(values):.0f} | {values[-1]:.0f} |")
        return "\n".join(lines) + f"\n({len(self.samples)} samples, every {self.every:.0f} s)"
