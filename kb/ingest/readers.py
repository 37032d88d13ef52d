"""Read a bundle's document files many at a time: one sandbox child per core, in batches.

Reading 100,000 short files one round trip each, in one process, took half an hour. Here each
child (kb.ingest.sandbox_child, task "documents") is sent READ_BATCH files by path and reads
each one whole in itself (front matter or sidecar, text, language: kb.ingest.document),
answering each as it is read; the children work side by side and the batches come back in
the bundle's order.

Markdown and plain text are read in the children too. Their parsers are pure Python, so no
memory-safety risk, but not harmless: Markdown made to be slow takes seconds per 90 KB (see
MARKDOWN_BUDGET) and a 20 MB file can take gigabytes; the child's limits (CPU time per file,
address space) bound both, and the parent enforces the wall time. The sandbox was never what
made a large bundle slow: a round trip per file, and everything else in one process, were.

A file that makes its child fail (time, memory, a crash) is judged as a single file would be
(kb.ingest.sandbox.judge) and the rest of its batch goes to a fresh child. The children bound
time and memory; they are no wall between users (same user, same files), so reading metadata
there as well gives nothing away, and an answer is still only taken for the file asked about.
"""

from __future__ import annotations

import base64
import json
import math
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.ingest.document import read_document
from kb.ingest.extract import ExtractionError
from kb.ingest.reading import failure
from kb.ingest.records import DocumentRecord, Problem
from kb.ingest.sandbox import judge, lent_child
from kb.ingest.versions import record_from_json, record_to_json
from kb.limits import READ_BATCH, TIMEOUT


@dataclass(frozen=True)
class Read:
    """One file as read: its record (None when refused) and what was wrong with it."""

    source: str
    record: DocumentRecord | None
    problems: list[Problem]


# ---------------------------------------------------------------- in the child
def read_here(root: str, source: str, kind: str, known: set[str]) -> dict:
    """Read one bundle file in this process, a sandbox child; return the answer to send."""
    try:
        record, problems = read_document(Path(root), Path(root) / source, kind, known, here=True)
    except OSError as exc:
        record, problems = None, [Problem(source, f"cannot be read ({exc.strerror})")]
    except MemoryError:
        raise
    except Exception as exc:  # the file's fault, whatever it is: reported, never raised
        return failure(exc)
    return {
        "ok": True,
        "record": record_to_json(record) if record else None,
        "original": base64.b64encode(record.original).decode("ascii")
        if record and record.original is not None
        else None,
        "problems": [[p.source, p.reason, p.refused] for p in problems],
    }


# ---------------------------------------------------------------- in the parent
def _decoded(source: str, kind: str, answer: dict) -> Read:
    """Return the file an answer says was read; an answer that does not hold together (a
    record of another file, a missing field) is the file's trouble, never the ingest's."""
    try:
        judge(answer)
        data, original = answer.get("record"), answer.get("original")
        record = None
        if data is not None:
            record = record_from_json(data, base64.b64decode(original) if original else None)
            if (record.source, record.kind) != (source, kind):
                raise ValueError(f"a record of {record.source}")
        problems = [Problem(s, reason, bool(refused)) for s, reason, refused in answer["problems"]]
        if any(p.source != source for p in problems):
            raise ValueError("problems of another file")
    except ExtractionError as exc:
        return Read(source, None, [Problem(source, str(exc))])
    except (ValueError, TypeError, KeyError) as exc:
        return Read(source, None, [Problem(source, f"is damaged (its reader answered {exc})")])
    return Read(source, record, problems)


def read_batch(
    root: Path, files: Sequence[tuple[str, str]], known: set[str], stopped=lambda: False
) -> list[Read]:
    """Read files (source, kind) in one child after another until each has its answer."""
    out: list[Read] = []
    pending = list(files)
    fresh = False
    while pending and not stopped():
        payload = json.dumps(
            {"root": str(root), "files": pending, "known": sorted(known)}, ensure_ascii=False
        ).encode("utf-8")
        with lent_child(fresh=fresh) as child:
            try:
                child.send({"task": "documents", "fmt": "", "cpu": math.ceil(TIMEOUT)}, payload)
            except BrokenPipeError:
                if fresh:  # a new child that dies before it reads a byte will not read these
                    message = "could not be read: kb's reader stopped before it got the file"
                    out += [Read(s, None, [Problem(s, message)]) for s, _ in pending]
                    return out
                fresh = True  # an idle child had gone meanwhile: once more, with a new one
                continue
            fresh = False
            while pending and not stopped():
                source, kind = pending.pop(0)
                out.append(_decoded(source, kind, child.answer(TIMEOUT)))
                if not child.healthy:  # retired or failed: the rest go to a fresh child
                    break
            if pending:
                child.healthy = False  # it may still be reading the rest: never reuse it
    return out


def reader_count(batches: int) -> int:
    """Return how many children read at once: one per core, no more than there is work."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, batches))


def read_documents(
    root: Path, files: Sequence[tuple[str, str]], known: set[str], batch: int = READ_BATCH
) -> Iterator[list[Read]]:
    """Yield the files (source, kind) as read, one list per `batch` of them, in their order.

    The children read at most two batches each ahead of what was taken, so a large bundle
    is never all in memory at once.
    """
    chunks = [list(files[i : i + batch]) for i in range(0, len(files), batch)]
    if not chunks:
        return
    readers = reader_count(len(chunks))
    state = _Ahead(len(chunks), 2 * readers)

    def work() -> None:
        while (index := state.take()) is not None:
            try:
                state.put(index, read_batch(root, chunks[index], known, state.stopped))
            except BaseException as exc:  # the caller raises it, not this thread
                state.fail(exc)
                return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        for index in range(len(chunks)):
            yield state.get(index)
    finally:
        state.stop()
        for thread in threads:
            thread.join()


class _Ahead:
    """The batches being read by the threads, handed out in order, a few ahead at most."""

    def __init__(self, count: int, ahead: int) -> None:
        self.count, self.ahead = count, ahead
        self.cond = threading.Condition()
        self.done: dict[int, list[Read]] = {}
        self.next = self.taken = 0
        self.error: BaseException | None = None
        self._stop = False

    def stopped(self) -> bool:
        return self._stop

    def take(self) -> int | None:
        with self.cond:
            while (
                not self._stop and self.next < self.count and self.next >= self.taken + self.ahead
            ):
                self.cond.wait()
            if self._stop or self.next >= self.count:
                return None
            self.next += 1
            return self.next - 1

    def put(self, index: int, reads: list[Read]) -> None:
        with self.cond:
            self.done[index] = reads
            self.cond.notify_all()

    def fail(self, exc: BaseException) -> None:
        with self.cond:
            self.error = exc
            self.cond.notify_all()

    def get(self, index: int) -> list[Read]:
        with self.cond:
            while index not in self.done and self.error is None:
                self.cond.wait()
            if self.error is not None:
                raise self.error
            self.taken = index + 1
            self.cond.notify_all()
            return self.done.pop(index)

    def stop(self) -> None:
        with self.cond:
            self._stop = True
            self.cond.notify_all()
