"""Measure what the extractive answer (issue 27) costs, in one run: `./dev bench-answers`.

    python scripts/bench_answers.py [BUNDLE] [QUERIES] [--rounds 3]

Ingests BUNDLE (the shared sample bundle) into two fresh instances one after the other, with
answers off and on, each in a child process (time, index folder size), then opens the
answering instance as the server does and asks every search question of QUERIES and its
"vad har vi lärt oss om …" and "hur gör vi med …" forms as its asker, `--rounds` times, through
the search page's own path (kb.finder.page). Prints the answer's own cost on top of the search
(p50, p95, max) and the whole page's p95 with answers on beside the same questions on the
instance without them, with the load average before and after. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
SHARED = ROOT.parent / "shared"
VIEWER = "eval.viewer"


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def folder_mb(path: Path) -> dict:
    """Return the size in MB of each index folder and of the whole."""
    sizes = {
        p.name: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 1e6
        for p in sorted(path.iterdir())
        if p.is_dir()
    }
    return {**{k: round(v, 2) for k, v in sizes.items()}, "total": round(sum(sizes.values()), 2)}


def ingest_child(bundle: Path, instance: Path, answers: bool) -> dict:
    """Ingest in a fresh child process; return its time and the index folder's size."""
    code = (
        "import sys, time, json; sys.path.insert(0, sys.argv[1])\n"
        "from kb.config import load_settings\nfrom kb.service import KnowledgeBase\n"
        "kb = KnowledgeBase(load_settings(sys.argv[3], answers=sys.argv[4] == 'on'))\n"
        "t = time.perf_counter(); kb.documents.ingest(sys.argv[2])\n"
        "print(json.dumps({'seconds': time.perf_counter() - t})); kb.close()\n"
    )
    args = [sys.executable, "-c", code, str(ROOT), str(bundle), str(instance)]
    done = subprocess.run([*args, "on" if answers else "off"], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {**out, "index_mb": folder_mb(instance / "index")}


def questions(queries: Path) -> list[tuple[str, str]]:
    """Return (asker, question): each search question and its two answerable forms."""
    out = []
    for q in yaml.safe_load(queries.read_text(encoding="utf-8"))["search"]:
        who = q.get("as", VIEWER)
        for text in (q["q"], f"vad har vi lärt oss om {q['q']}", f"hur gör vi med {q['q']}"):
            out.append((who, text))
    return out


def ask(on: Path, off: Path, asked: list[tuple[str, str]], rounds: int) -> dict:
    """Ask every question as the server would, of the answering instance and of the other in
    turns (so load and caches weigh on both alike); return page times and the answer's own."""
    from kb.access import Viewer
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    bases = {
        "on": KnowledgeBase(load_settings(on, answers=True)),
        "off": KnowledgeBase(load_settings(off, answers=False)),
    }
    viewers: dict = {VIEWER: Viewer(person_id=VIEWER, unit=None)}
    pages: dict[str, list[float]] = {"on": [], "off": []}
    costs, answered = [], 0
    for who, _ in asked:
        if who not in viewers:
            viewers[who] = bases["on"].people.viewer(who)
    for kb in bases.values():  # warm the model, the catalog and the indexes once
        for who, text in asked:
            kb.finder.page(viewers[who], text)
    for _ in range(rounds):
        for who, text in asked:
            for name, kb in bases.items():
                started = time.perf_counter()
                page = kb.finder.page(viewers[who], text)
                pages[name].append((time.perf_counter() - started) * 1000)
            kb = bases["on"]
            searcher = kb.finder.searcher()
            started = time.perf_counter()
            quoted = kb.finder.answer(searcher, text, page.result) if page.result else []
            costs.append((time.perf_counter() - started) * 1000)
            answered += bool(quoted)
    for kb in bases.values():
        kb.close()
    return {"pages": pages, "costs": costs, "answered": answered}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", nargs="?", default=SHARED / "sample-bundle", type=Path)
    ap.add_argument(
        "queries", nargs="?", default=SHARED / "eval" / "sample-queries.yaml", type=Path
    )
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"load average at start {os.getloadavg()}; cores {os.cpu_count()}")
    work = Path(tempfile.mkdtemp(prefix="kb-bench-answers-"))
    off, on = work / "off", work / "on"
    ingested = {
        "off": ingest_child(args.bundle, off, False),
        "on": ingest_child(args.bundle, on, True),
    }
    for name, row in ingested.items():
        print(f"ingest, answers {name}: {row['seconds']:.1f} s; index folder {row['index_mb']} MB")
    ratio = ingested["on"]["seconds"] / ingested["off"]["seconds"]
    print(f"ingest with the sentence vectors / without: {ratio:.2f}x")
    asked = questions(args.queries)
    result = ask(on, off, asked, args.rounds)
    costs, pages = result["costs"], result["pages"]
    print(
        f"{len(asked)} questions x {args.rounds} rounds, {result['answered'] // args.rounds} "
        f"answered: the answer's own cost on top of the search p50 "
        f"{statistics.median(costs):.1f} ms, p95 {p95(costs):.1f} ms, max {max(costs):.1f} ms"
    )
    print(
        f"search page, asked in turns: p95 answers on {p95(pages['on']):.0f} ms, off "
        f"{p95(pages['off']):.0f} ms; p50 {statistics.median(pages['on']):.0f} vs "
        f"{statistics.median(pages['off']):.0f} ms"
    )
    print(f"load average at end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
