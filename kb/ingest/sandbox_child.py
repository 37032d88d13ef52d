"""The child's side of kb.ingest.sandbox: read one file after another, within its limits.

Run as `python -m kb.ingest.sandbox_child`; it imports the formats and their parsers, nothing
heavy. The bytes it is sent were sniffed by the server (kb.ingest.formats.sniff) just before;
a bundle's files (task "documents", kb.ingest.readers) it reads from disk and sniffs itself,
each under its own CPU limit, answering each as it is read.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import select
import signal
import sys

from kb.ingest import formats
from kb.ingest.reading import answer, out_of_memory, retiring
from kb.limits import IDLE_SECONDS, MEMORY_MB, READER_NICE


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


def _limit_cpu(seconds: float) -> None:
    """Let the next file use at most `seconds` of CPU (SIGXCPU ends the child after that)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(spent + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _send(answers, found: dict, limit: int) -> bool:
    """Write one answer; return whether the child retires after it."""
    try:
        payload = json.dumps(found, ensure_ascii=False).encode("utf-8")
    except MemoryError:
        payload, found = b'{"ok": false, "reason": "memory", "retire": true}', {"retire": 1}
    retire = bool(found.get("retire")) or retiring() or _rss_bytes() > limit // 2
    if retire and b'"retire"' not in payload:
        payload = payload[:-1] + b', "retire": true}'
    answers.write(b"%d\n" % len(payload) + payload)
    answers.flush()
    return retire


def _documents(answers, batch: dict, cpu: float, limit: int) -> bool:
    """Read a batch of bundle files, answering each as it is read; return whether to retire."""
    from kb.ingest.readers import read_here

    known = set(batch["known"])
    for source, kind in batch["files"]:
        _limit_cpu(cpu)
        try:
            found = read_here(batch["root"], source, kind, known)
        except MemoryError:
            found = out_of_memory()
        if _send(answers, found, limit):
            return True
    return False


def serve(memory_mb: int, idle: float) -> None:
    """Answer requests on stdin until it closes or stays quiet for `idle` seconds."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Reading a hostile file may take its full time budget of CPU: searches come first.
    os.nice(READER_NICE)
    # The answers get their own descriptor; anything a parser prints goes to stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    # Import the parsers once, before the first file: each file then starts at once.
    for module in sorted({m for fmt in formats.FORMAT_LIST for m in fmt.parsers}):
        importlib.import_module(module)
    while True:
        if not select.select([requests], [], [], idle)[0]:
            return
        line = requests.readline()
        if not line:
            return
        request = json.loads(line)
        data = _read_exactly(requests, int(request["size"]))
        task, page = str(request.get("task", "text")), int(request.get("page", 0))
        if task == "documents":
            if _documents(answers, json.loads(data), float(request["cpu"]), limit):
                return
            continue
        _limit_cpu(float(request["cpu"]))
        found = answer(str(request["fmt"]), data, task, page)
        del data
        if _send(answers, found, limit):
            return


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        description="Read files in a limited process (started by kb, not by hand)."
    )
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB)
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a child stops
    serve(args.memory_mb, args.idle)


if __name__ == "__main__":
    main()
