"""Score the extractive answer (issue 27) on one half of the judged answer set.

Usage: python scripts/eval_answers.py [BUNDLE] [HALF] [--instance DIR] [--set k=v ...] [--grid]
       [--detail]
Ingests BUNDLE into DIR (unchanged files are skipped), asks every question of HALF
(tests/judged/answers-tuning.yaml by default) as its asker through the search page's own path
(kb.finder.page) and prints: the precision of the sentences shown (right ones / all shown),
the share of answerable questions with at least one right sentence shown, the share of
unanswerable ones given no answer, leaks (shown sentences from documents the asker may not
open) and the answer's own cost per question (p50, p95, on top of the search), with uptime.
--set overrides AnswerParams (theta=1.05); --grid scores a grid of them on the same searches.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
VIEWER = "eval.viewer"
GRID = {
    "theta": [0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4],
    "margin": [0.0, 0.05, 0.1],
    "beta": [0.1, 0.3, 0.5],
    "gamma": [0.2, 0.4, 0.6],
    "delta": [0.0, 0.1],
}


def figures(rows: list[dict]) -> dict:
    """Return the Must-hold figures of a list of judged, answered questions."""
    shown = sum(len(r["shown"]) for r in rows)
    right = sum(sum(1 for s in r["shown"] if s in r["right"]) for r in rows)
    answerable = [r for r in rows if r["right"]]
    unanswerable = [r for r in rows if not r["right"]]
    return {
        "precision": right / shown if shown else 1.0,
        "shown": shown,
        "found": sum(1 for r in answerable if set(r["shown"]) & r["right"]),
        "answerable": len(answerable),
        "abstained": sum(1 for r in unanswerable if not r["shown"]),
        "unanswerable": len(unanswerable),
        "leaks": sum(r["leaks"] for r in rows),
    }


def line(name: str, f: dict) -> str:
    """Format one row of figures."""
    return (
        f"| {name} | {f['precision']:.3f} ({f['shown']}) | {f['found']}/{f['answerable']} "
        f"= {f['found'] / max(f['answerable'], 1):.2f} | {f['abstained']}/{f['unanswerable']} "
        f"| {f['leaks']} |"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", nargs="?", default=ROOT / "tests" / "judged" / "bundle", type=Path)
    ap.add_argument(
        "half", nargs="?", default=ROOT / "tests" / "judged" / "answers-tuning.yaml", type=Path
    )
    ap.add_argument("--instance", type=Path)
    ap.add_argument("--set", action="append", default=[], help="an AnswerParams value, k=v")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--detail", action="store_true", help="print each question's answer")
    args = ap.parse_args(argv)

    from kb.access import Viewer
    from kb.config import load_settings
    from kb.search.query.answer import AnswerParams, extract, learning_groups, topics
    from kb.service import KnowledgeBase

    questions = yaml.safe_load(args.half.read_text(encoding="utf-8"))["answers"]
    instance = args.instance or Path(tempfile.mkdtemp(prefix="kb-answers-"))
    kb = KnowledgeBase(load_settings(instance, answers=True))
    start = time.perf_counter()
    kb.documents.ingest(args.bundle)
    print(f"ingest {time.perf_counter() - start:.1f} s into {instance}", file=sys.stderr)
    types = {f.name: f.type for f in fields(AnswerParams)}
    chosen = AnswerParams(
        **{k: (int if types[k] == "int" else float)(v) for k, v in (s.split("=") for s in args.set)}
    )
    viewers = {VIEWER: Viewer(person_id=VIEWER, unit=None)}
    finder = kb.finder
    sentences = kb.indexes.sentences.current()
    catalog = kb.indexes.catalog()
    asked, costs = [], []
    for q in questions:
        who = q.get("as", VIEWER)
        if who not in viewers:
            viewers[who] = kb.people.viewer(who)
        viewer = viewers[who]
        page = finder.page(viewer, q["q"])
        searcher = finder.searcher()
        started = time.perf_counter()
        finder.answer(searcher, q["q"], page.result)
        costs.append((time.perf_counter() - started) * 1000)
        hit_ids = [h.doc_id for h in page.result.hits] if page.result else []
        qvec = searcher.question("dense", q["q"])
        right = {(src, text) for src, texts in q["answers"].items() for text in texts}
        for src, _ in right:
            if not catalog.may_open(viewer, src):
                print(
                    f"judged set: {q['id']} judges {src}, which {who} may not open", file=sys.stderr
                )
        asked.append((q, viewer, hit_ids, qvec, right))

    def run(params: AnswerParams) -> list[dict]:
        rows = []
        for q, viewer, hit_ids, qvec, right in asked:
            quoted = extract(
                q["q"],
                qvec,
                hit_ids,
                sentences,
                params,
                topics(catalog, hit_ids),
                learning_groups(catalog, hit_ids),
            )
            shown = [(catalog.docs[s.doc_id].source, s.text) for s in quoted]
            leaks = sum(1 for src, _ in shown if not catalog.may_open(viewer, src))
            rows.append({"q": q, "shown": shown, "right": right, "leaks": leaks})
        return rows

    print("| setting | precision (shown) | answerable with a right sentence | abstained | leaks |")
    print("|---|---|---|---|---|")
    rows = run(chosen)
    print(line(f"{chosen}", figures(rows)))
    if args.grid:
        scored = []
        for values in itertools.product(*GRID.values()):
            params = replace(chosen, **dict(zip(GRID, values, strict=True)))
            f = figures(run(params))
            scored.append((f, params))
        # Precision first: among the settings with precision >= 0.85 that abstain on every
        # unanswerable question, those that answer the most (then the most precise).
        fit = [
            s
            for s in scored
            if s[0]["precision"] >= 0.85 and s[0]["abstained"] == s[0]["unanswerable"]
        ]
        print(f"\n{len(fit)} of {len(scored)} settings fit; the best:")
        for f, params in sorted(fit, key=lambda s: (-s[0]["found"], -s[0]["precision"]))[:20]:
            print(line(str({k: getattr(params, k) for k in GRID}), f))
    if args.detail:
        for r in rows:
            print(
                f"\n{r['q']['id']} {r['q']['type']} {r['q']['q']}  (as {r['q'].get('as', VIEWER)})"
            )
            for src, text in r["shown"]:
                mark = "+" if (src, text) in r["right"] else "-"
                print(f"   {mark} {src}: {text}")
    costs.sort()
    p95 = costs[min(len(costs) - 1, int(round(0.95 * (len(costs) - 1))))]
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(
        f"\nanswer cost on top of the search, {len(costs)} questions: p50 "
        f"{statistics.median(costs):.1f} ms, p95 {p95:.1f} ms, max {costs[-1]:.1f} ms "
        f"(shared machine; uptime: {uptime})"
    )
    print(f"sentence index: {len(sentences)} sentences", file=sys.stderr)
    kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
