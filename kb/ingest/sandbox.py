"""Read files from outside in a child process that may fail, hang or blow up without harm.

`extract_text_safely(fmt, data)` returns the text of a file, or raises ExtractionError with a
message for the person who sent it: "took longer than 10 s to read; refused", "needs more
than 512 MB to read; refused", "is damaged (...)", "is not a DOCX: it is really a PDF ...".

The parsers (each format's, kb.ingest.formats) run in a child
`python -m kb.ingest.sandbox_child`, which imports the formats and little else (no
torch, faiss or whoosh), limits its own address space (RLIMIT_AS) and, file by file, its CPU
time (RLIMIT_CPU). The parent enforces the wall time and kills the child when it is up.
Children are kept in a small pool and reused, so an ingest run pays the start (~0.2 s) once
and every further file costs about a millisecond; a child that failed in any way other than
a clean refusal is never reused. Before anything is sent, the cheap, bounded content checks
(`sniff`: size, type from the bytes, a zip package's directory) run in the parent, once: a
caller that sniffed the bytes already says so (`sniffed=True`).

Protocol over the child's stdin and stdout:
  request  one JSON line {"fmt": "pdf", "size": N, "cpu": seconds}, then the N bytes;
           a rendering adds "task" ("html", "pages" or "image") and "page" (from 1)
           ("title" asks only for the title the file gives itself)
  answer   one ASCII line with the length M, then M bytes of JSON:
           {"ok": true, "text": "...", "title": "..." or null} (or "pages": [...],
           "image": base64) or
           {"ok": false, "reason": "...", "message": "..."},
           with "retire": true when the child exits after this answer.
A bundle's files go many at a time (kb.ingest.readers): task "documents", whose N bytes are
JSON {"root", "files": [[source, kind], ...], "known": [person ids]}, is answered by one
answer per file, in order, as each is read.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kb.ingest.extract import ExtractionError
from kb.ingest.formats import sniff
from kb.limits import IDLE_CHILDREN, IDLE_SECONDS, MAX_CHILDREN, MEMORY_MB, TIMEOUT

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def timeout_message(timeout: float) -> str:
    return f"took longer than {timeout:g} s to read; refused"


def memory_message(memory_mb: int) -> str:
    return f"needs more than {memory_mb} MB to read; refused"


def extract_text_safely(
    fmt: str, data: bytes, timeout: float = TIMEOUT, memory_mb: int = MEMORY_MB
) -> str:
    """Return the plain text of a file's bytes, read in a limited child process.

    Raise ExtractionError (with `reason`) when the bytes are not the claimed format, too
    large, damaged, or need more than `timeout` seconds or `memory_mb` MB to read.
    """
    return read_safely(fmt, data, timeout, memory_mb)["text"]


def read_safely(
    fmt: str,
    data: bytes,
    timeout: float = TIMEOUT,
    memory_mb: int = MEMORY_MB,
    sniffed: bool = False,
) -> dict:
    """Return {"text", "title"} of a file's bytes (title: the one it gives itself, or None),
    read in a limited child process; raise ExtractionError as extract_text_safely does."""
    return _run_safely("text", fmt, data, 0, timeout, memory_mb, sniffed)


def title_safely(fmt: str, data: bytes, timeout: float = TIMEOUT) -> str | None:
    """Return the title a file gives itself, read in a limited child; None when it has none
    or cannot be read."""
    try:
        return _run_safely("title", fmt, data, 0, timeout, MEMORY_MB)["title"]
    except ExtractionError:
        return None


def render_safely(
    task: str, fmt: str, data: bytes, page: int = 0, timeout: float = TIMEOUT
) -> dict:
    """Render a file in a limited child (kb.ingest.formats.answer): {"text"}, {"pages"} or
    {"image"} (base64 PNG); raise ExtractionError as extract_text_safely does."""
    return _run_safely(task, fmt, data, page, timeout, MEMORY_MB)


def _run_safely(
    task: str,
    fmt: str,
    data: bytes,
    page: int,
    timeout: float,
    memory_mb: int,
    sniffed: bool = False,
) -> dict:
    if not sniffed:
        sniff(fmt, data)  # bounded: refuses most hostile files before any child is involved
    slots = _POOL.slots
    if not slots.acquire(timeout=timeout):  # never hold a server thread for long
        raise ExtractionError(
            "could not be read now: kb is busy reading other files; try again in a minute",
            reason="busy",
        )
    try:
        answer = None
        for attempt in range(2):
            try:
                child = _POOL.acquire(memory_mb, fresh=attempt > 0)
            except OSError as exc:
                raise ExtractionError(
                    f"could not be read: kb's reader did not start ({exc})", reason="unavailable"
                ) from exc
            try:
                answer = child.ask(fmt, data, timeout, task, page)
                break
            except BrokenPipeError:
                # The child was gone before it had the file (not the file's doing): retry once.
                continue
            finally:
                _POOL.release(child)
        if answer is None:
            raise ExtractionError(
                "could not be read: kb's reader stopped before it got the file",
                reason="unavailable",
            )
    finally:
        slots.release()
    return judge(answer, memory_mb)


def judge(answer: dict, memory_mb: int = MEMORY_MB) -> dict:
    """Return a child's answer when it read the file; raise ExtractionError saying why not."""
    if answer.get("ok"):
        return answer
    reason = answer.get("reason", "damaged")
    if reason == "memory":
        raise ExtractionError(memory_message(memory_mb), reason="memory")
    raise ExtractionError(answer.get("message") or "is damaged", reason=reason)


# ---------------------------------------------------------------- the parent's side
class _Child:
    """One child process reading files, as seen from the parent."""

    def __init__(self, memory_mb: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.memory_mb = memory_mb
        self.healthy = True
        self.last_used = time.monotonic()
        # -P: never import from the working directory (it may be a bundle from outside).
        # A new session: a Ctrl-C at the terminal reaches the parent, which stops the child.
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-P",
                "-m",
                "kb.ingest.sandbox_child",
                "--memory-mb",
                str(memory_mb),
                "--idle",
                str(IDLE_SECONDS),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )

    def usable(self, memory_mb: int) -> bool:
        return (
            self.healthy
            and self.memory_mb == memory_mb
            and self.proc.poll() is None
            and time.monotonic() - self.last_used < IDLE_SECONDS - 5
        )

    def ask(self, fmt: str, data: bytes, timeout: float, task: str = "text", page: int = 0) -> dict:
        """Send one file, wait for the answer; a child that fails is reaped and judged."""
        request = {"fmt": fmt, "cpu": math.ceil(timeout)}
        if task != "text":
            request.update(task=task, page=page)
        self.send(request, data)
        return self.answer(timeout)

    def send(self, request: dict, data: bytes) -> None:
        """Send one request and its bytes; BrokenPipeError when the child was gone already."""
        self.healthy = False  # until it answers
        header = json.dumps({**request, "size": len(data)})
        try:
            self.proc.stdin.write(header.encode("ascii") + b"\n")
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            self._reap()  # it reads every byte before it looks at any, so it was gone already
            raise

    def answer(self, timeout: float) -> dict:
        """Wait at most `timeout` s for the next answer; a child that fails is judged: its
        answer then says why ({"ok": false, "reason": ...}) and the child is not used again."""
        deadline = time.monotonic() + timeout
        self.healthy = False  # until it answers
        try:
            length = int(self._read_until(b"\n", deadline))
            answer = json.loads(self._read_exactly(length, deadline))
        except TimeoutError:
            return self._failed(timeout, timed_out=True)
        except (EOFError, ValueError):
            return self._failed(timeout, timed_out=False)
        self.healthy = not answer.pop("retire", False) and answer.get("reason") != "memory"
        self.last_used = time.monotonic()
        return answer

    # -- reading with a deadline
    _buffer = b""

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise EOFError
        self._buffer += chunk

    def _read_until(self, mark: bytes, deadline: float) -> bytes:
        while mark not in self._buffer:
            if len(self._buffer) > 32:
                raise ValueError("garbled answer")
            self._fill(deadline)
        line, self._buffer = self._buffer.split(mark, 1)
        return line

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        parts, have = [self._buffer], len(self._buffer)
        self._buffer = b""
        fd = self.proc.stdout.fileno()
        while have < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(1 << 22, size - have))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            have += len(chunk)
        # Answers to many files follow each other: what was read past this one is the next's.
        data = b"".join(parts)
        self._buffer = data[size:]
        return data[:size]

    # -- when it fails
    def _reap(self) -> tuple[int | None, object]:
        """Wait for the child to end; return (exit code, resource usage) or (None, None)."""
        if self.proc.returncode is not None:
            return self.proc.returncode, None
        try:
            pid, status, usage = os.wait4(self.proc.pid, 0)
        except ChildProcessError:
            return self.proc.wait(), None
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return self.proc.returncode, usage

    def _failed(self, timeout: float, timed_out: bool) -> dict:
        self.healthy = False
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        code, usage = self._reap()
        if timed_out or code == -signal.SIGXCPU:
            return {"ok": False, "reason": "timeout", "message": timeout_message(timeout)}
        peak = usage.ru_maxrss * 1024 if usage else 0
        # A native parser that cannot get memory aborts the process; its peak shows why.
        if peak >= self.memory_mb * 1024 * 1024 // 4 or code == -signal.SIGKILL:
            return {"ok": False, "reason": "memory"}
        how = (
            f"signal {signal.Signals(-code).name}"
            if code is not None and code < 0
            else f"exit code {code}"
        )
        return {
            "ok": False,
            "reason": "damaged",
            "message": f"is damaged (the reader crashed: {how})",
        }

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class _Pool:
    """The children waiting for work, shared by the threads of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[_Child] = []
        self.slots = threading.BoundedSemaphore(MAX_CHILDREN)
        self.owner = os.getpid()

    def acquire(self, memory_mb: int, fresh: bool = False) -> _Child:
        stale = []
        with self.lock:
            if self.owner != os.getpid():  # forked: the children belong to the parent
                self.idle, self.owner = [], os.getpid()
                self.slots = threading.BoundedSemaphore(MAX_CHILDREN)
            found = None
            while self.idle and not fresh:
                child = self.idle.pop()
                if child.usable(memory_mb):
                    found = child
                    break
                stale.append(child)
        for child in stale:
            child.close()
        return found or _Child(memory_mb)

    def release(self, child: _Child) -> None:
        with self.lock:
            if (
                child.healthy
                and child.proc.poll() is None
                and len(self.idle) < IDLE_CHILDREN
                and self.owner == os.getpid()
            ):
                self.idle.append(child)
                return
        child.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for child in idle:
            child.close()


_POOL = _Pool()
atexit.register(_POOL.close)


def close_children() -> None:
    """Stop the waiting children now (they also stop by themselves when idle or orphaned)."""
    _POOL.close()


@contextlib.contextmanager
def lent_child(fresh: bool = False, memory_mb: int = MEMORY_MB):
    """Lend a child of the pool for many files (kb.ingest.readers), back to the pool after.

    Not counted against the slots, which bound what a server's threads read at once: an
    ingest reads with one child per core, all of them its own.
    """
    child = _POOL.acquire(memory_mb, fresh=fresh)
    try:
        yield child
    finally:
        _POOL.release(child)
