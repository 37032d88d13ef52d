"""Print search quality and speed of each fusion method side by side on a judged bundle.

Usage: python scripts/bench_search.py [BUNDLE] [QUERIES] [--instance DIR]
                                      [--weights 0.3/0.3/0.4,0.2/0.3/0.5] [--detail]
Ingests BUNDLE into a fresh (or the given) instance with the configured embedder, asks every
judged query as its viewer with BM25 only, dense only, sparse only, RRF and the shipped convex
fusion (and any extra keyword/dense/sparse weights), and prints nDCG@10 per query type with
latency. It imports the shared eval's metrics so the figures agree with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_eval():
    spec = importlib.util.spec_from_file_location("kb_eval", SHARED / "eval" / "kb_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", nargs="?", default=SHARED / "sample-bundle", type=Path)
    ap.add_argument(
        "queries", nargs="?", default=SHARED / "eval" / "sample-queries.yaml", type=Path
    )
    ap.add_argument("--instance", type=Path)
    ap.add_argument("--weights", default="", help="extra keyword/dense/sparse weight triples")
    ap.add_argument("--no-priors", action="store_true", help="also run without language priors")
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("--no-peer", action="store_true", help="skip txtai (pip install txtai)")
    args = ap.parse_args(argv)

    from dataclasses import replace

    from kb.access import Viewer
    from kb.config import load_settings
    from kb.search.query.hybrid import SearchRequest
    from kb.service import KnowledgeBase

    ev = load_eval()
    queries = yaml.safe_load(args.queries.read_text(encoding="utf-8"))
    instance = args.instance or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    kb = KnowledgeBase(load_settings(instance))
    start = time.perf_counter()
    kb.documents.ingest(args.bundle)
    print(f"ingest {time.perf_counter() - start:.1f} s into {instance}")
    viewer_default = Viewer(person_id="eval.viewer", unit="Utvärderingsenheten")

    shipped = kb.settings

    def run(method: str, weights: tuple[float, float, float] | None = None, priors: bool = True):
        kb.finder.settings = replace(shipped, language_priors=priors)
        if weights is not None:
            kb.finder.settings = replace(
                kb.finder.settings,
                weight_keyword=weights[0],
                weight_dense=weights[1],
                weight_sparse=weights[2],
            )
        per_type: dict[str, list[float]] = {}
        times = []
        rows = []
        for q in queries["search"]:
            viewer = kb.people.viewer(q["as"]) if q.get("as") else viewer_default
            t = time.perf_counter()
            result = kb.finder.search(
                SearchRequest(text=q["q"], viewer=viewer, limit=10, method=method)
            )
            times.append((time.perf_counter() - t) * 1000)
            ranked = [h.source for h in result.hits]
            score = ev.ndcg(ranked, q["relevant"], 10)
            per_type.setdefault(q["type"], []).append(score)
            rows.append((q["id"], q["type"], score, ranked[:3]))
        overall = statistics.mean(s for v in per_type.values() for s in v)
        return overall, {t: statistics.mean(v) for t, v in per_type.items()}, times, rows

    w = (shipped.weight_keyword, shipped.weight_dense, shipped.weight_sparse)
    label = "/".join(f"{x:g}" for x in w)
    methods = [
        ("BM25 only", "keyword", None, True),
        ("dense only", "dense", None, True),
        ("sparse only", "sparse", None, True),
        ("RRF (3 legs)", "rrf", None, True),
        ("convex kw+dense 0.5/0.5, no priors", "convex", (0.5, 0.5, 0.0), False),
        (f"shipped: convex {label}", "convex", w, True),
    ]
    if args.no_priors:
        methods.append((f"convex {label}, no language priors", "convex", w, False))
    for triple in filter(None, args.weights.split(",")):
        extra = tuple(float(x) for x in triple.split("/"))
        methods.append((f"convex {triple}", "convex", extra, True))
    run("convex")  # warm-up: load models, caches
    types = sorted({q["type"] for q in queries["search"]})
    print(f"| method | nDCG@10 | {' | '.join(types)} | p50 ms | p95 ms |")
    print("|---|---|" + "---|" * len(types) + "---|---|")
    for label, method, weights, priors in methods:
        overall, by_type, times, rows = run(method, weights, priors)
        cells = " | ".join(f"{by_type.get(t, float('nan')):.2f}" for t in types)
        print(
            f"| {label} | {overall:.3f} | {cells} | {ev.pct(times, 0.5):.0f} | "
            f"{ev.pct(times, 0.95):.0f} |"
        )
        if args.detail:
            for row in rows:
                print("   ", row[0], row[1], f"{row[2]:.2f}", row[3])
    if not args.no_peer:
        peer_rows(kb, queries, ev, viewer_default, types)
    kb.close()
    return 0


def peer_rows(kb, queries, ev, viewer_default, types) -> None:
    """Index the same chunk texts with txtai (same model) and print its legs and hybrid."""
    try:
        from txtai import Embeddings
    except ImportError:
        print("(txtai not installed: pip install txtai to compare with the peer)")
        return
    from sqlalchemy import select

    from kb.models import Chunk, Document
    from kb.search.indexes.indexer import passage_text

    embedder = kb.indexes.embedder

    def transform(texts):
        # txtai prepends the instructions; route each text to the model's own prefixing.
        queries_ = [t[len("query: ") :] for t in texts if t.startswith("query: ")]
        if len(queries_) == len(texts):
            return embedder.embed_queries(queries_)
        return embedder.embed_passages([t.removeprefix("passage: ") for t in texts])

    with kb.db.read() as session:
        rows = session.execute(
            select(Chunk.id, Chunk.text, Document.title, Document.id).join(Document)
        ).all()
    chunk_doc = {r[0]: r[3] for r in rows}
    catalog = kb.indexes.catalog()
    start = time.perf_counter()
    peer = Embeddings(
        method="external",
        transform=transform,
        content=False,
        hybrid=True,
        instructions={"query": "query: ", "data": "passage: "},
        scoring={"method": "bm25", "terms": True, "normalize": True},
    )
    peer.index([(r[0], passage_text(r[2], r[1]), None) for r in rows])
    print(f"| txtai index build (same chunks, same model) | {time.perf_counter() - start:.1f} s |")

    def run(weight: float):
        per_type: dict[str, list[float]] = {}
        times = []
        for q in queries["search"]:
            viewer = kb.people.viewer(q["as"]) if q.get("as") else viewer_default
            allowed = set(catalog.visible(viewer))
            t = time.perf_counter()
            hits = peer.search(q["q"], limit=150, weights=weight)
            times.append((time.perf_counter() - t) * 1000)
            best: dict[int, float] = {}
            for chunk_id, score in hits:
                doc = chunk_doc.get(int(chunk_id))
                # txtai has no access rules of its own: drop what the viewer may not open.
                if doc in allowed and score > best.get(doc, float("-inf")):
                    best[doc] = score
            ranked = [
                catalog.docs[d].source for d, _ in sorted(best.items(), key=lambda kv: -kv[1])
            ]
            per_type.setdefault(q["type"], []).append(ev.ndcg(ranked, q["relevant"], 10))
        overall = statistics.mean(s for v in per_type.values() for s in v)
        cells = " | ".join(f"{statistics.mean(per_type.get(t, [float('nan')])):.2f}" for t in types)
        return overall, cells, times

    for label, weight in (
        ("txtai BM25 only", 0.0),
        ("txtai dense only", 1.0),
        ("txtai hybrid (default 0.5)", 0.5),
    ):
        overall, cells, times = run(weight)
        print(
            f"| {label} | {overall:.3f} | {cells} | {ev.pct(times, 0.5):.0f} | "
            f"{ev.pct(times, 0.95):.0f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
