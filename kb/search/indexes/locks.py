"""The instance's lock files: who holds one is written in it, so a stale holder can be ended.

A lock is an flock on a file of the index folder: the kernel releases it when its holder
dies. The one way it can outlive its purpose is a holder that outlives its server: an
indexer whose parent is gone. A process that finds the index lock held by such an orphan
ends it and takes the lock over.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger("kb.indexer")

# An orphan told to stop (SIGTERM) gets this long before it is killed.
TAKE_OVER_SECONDS = 3.0


@contextlib.contextmanager
def file_lock(path: Path, on_wait=None, take_over: bool = False, wait: bool = True):
    """Hold an exclusive lock on a file; call on_wait() before waiting for it. Yield True
    once held; with wait False, yield False at once when another holds it.

    take_over: when the holder is an indexer whose server is gone, end it first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened to append: a waiter must not wipe out who holds it.
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if take_over:
                end_orphan(path)
            if on_wait is not None:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()} {os.getppid()}\n")
            fh.flush()
            yield True
        finally:
            with contextlib.suppress(OSError):
                fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def holder(path: Path) -> tuple[int, int] | None:
    """Return (pid, parent pid at the time) written in a lock file, None when none is."""
    try:
        pid, parent = path.read_text().split()[:2]
        return int(pid), int(parent)
    except (OSError, ValueError):
        return None


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def is_orphan_indexer(pid: int, parent: int) -> bool:
    """Tell whether pid is a `kb indexer` whose server (its parent when it took the lock)
    is gone."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if b"indexer" not in argv or pid == os.getpid():
        return False
    # Re-parented, or the parent it had when it took the lock is gone.
    return _parent_of(pid) != parent or _parent_of(parent) is None


def end_orphan(path: Path) -> bool:
    """End the indexer holding this lock if its server is gone; return whether one was."""
    found = holder(path)
    if found is None or not is_orphan_indexer(*found):
        return False
    pid = found[0]
    log.warning("the index lock is held by indexer %d whose server is gone: ending it", pid)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + TAKE_OVER_SECONDS
    while time.monotonic() < deadline and _parent_of(pid) is not None:
        time.sleep(0.1)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    return True
