"""Score many search settings on a judged bundle in one process, ingesting it once.

Usage: python scripts/tune_search.py [BUNDLE] [QUERIES] [--instance DIR] [--set NAME] [--detail]
Ingests BUNDLE into DIR (unchanged files are skipped, so a kept DIR makes reruns quick), asks
every judged question as its viewer with each leg alone and with each named setting of
SETTINGS, and prints nDCG@10 per question type (the definition of the shared kb_eval.py, whose
functions it imports), the "nothing" questions answered with no hit, and the forbidden hits.
Query embeddings are cached, so each further setting costs only the fusion.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
VIEWER = "eval.viewer"

# name -> (method, SearchParams overrides); the shipped defaults are "shipped".
SETTINGS: dict[str, tuple[str, dict]] = {
    "keyword only": ("keyword", {}),
    "dense only": ("dense", {}),
    "sparse only": ("sparse", {}),
    "rrf": ("rrf", {}),
    "shipped": ("convex", {}),
    "no cut-off": ("convex", {"gate_z": None}),
    "no translation": ("convex", {"translate": False}),
    "no translation, no cut-off": ("convex", {"translate": False, "gate_z": None}),
    "no keep bar (every candidate once answered)": ("convex", {"keep_z": None}),
    "no translation, no keep bar": ("convex", {"translate": False, "keep_z": None}),
    "dense only, no translation": ("dense", {"translate": False}),
    "keyword only, no translation": ("keyword", {"translate": False}),
    "sparse only, no translation": ("sparse", {"translate": False}),
    "no spelling": ("convex", {"spelling": False}),
    "thesaurus 0.2": ("convex", {"thesaurus_weight": 0.2}),
    "thesaurus 0.4": ("convex", {"thesaurus_weight": 0.4}),
    "no language priors": ("convex", {"language_priors": False}),
    "priors shrunk k=20": ("convex", {"prior_shrink": 20.0}),
    "priors shrunk k=100": ("convex", {"prior_shrink": 100.0}),
    "neither (main's fusion, no relative floor)": ("convex", {"spelling": False, "gate_z": None}),
}
# Each leg weighed per question by how far its best document stands above the noise.
SETTINGS["leg confidence"] = ("convex", {"leg_confidence": True})
for _k, _d, _s in ((0.4, 0.4, 0.2), (0.3, 0.5, 0.2), (0.35, 0.35, 0.3)):
    SETTINGS[f"leg confidence, weights {_k}/{_d}/{_s}"] = (
        "convex",
        {"leg_confidence": True, "weights": {"keyword": _k, "dense": _d, "sparse": _s}},
    )
# Each leg put on the scale of its own candidates' spread instead of min-max.
SETTINGS["standardised"] = ("convex", {"scale": "standardised"})
for _k, _d, _s in ((0.4, 0.4, 0.2), (0.3, 0.5, 0.2), (0.35, 0.35, 0.3)):
    SETTINGS[f"standardised, weights {_k}/{_d}/{_s}"] = (
        "convex",
        {"scale": "standardised", "weights": {"keyword": _k, "dense": _d, "sparse": _s}},
    )
# The gates tried on the tuning half: (best coverage, dense z, sparse z) over the null questions.
TRIED = ((0.5, 2.0, 3.0), (0.5, 2.5, 3.0), (0.5, 2.0, 4.0), (0.6, 2.0, 3.0), (0.5, 3.0, 5.0))
for _cov, _dz, _sz in TRIED:
    SETTINGS[f"gate coverage {_cov} dense {_dz} sparse {_sz}"] = (
        "convex",
        {"gate_coverage": _cov, "gate_z": _dz, "gate_sparse_z": _sz},
    )


# Lower bars of a result once a question is answered: (semantic z, keyword coverage).
for _kz, _kc in ((-1.0, 0.25), (0.0, 0.25), (0.0, 0.5), (1.0, 0.25), (-2.0, 0.25)):
    SETTINGS[f"keep z {_kz} coverage {_kc}"] = ("convex", {"keep_z": _kz, "keep_coverage": _kc})

# Leg weights tried on the tuning half (keyword, dense, sparse).
WEIGHTS = (
    (0.3, 0.4, 0.3),
    (0.25, 0.5, 0.25),
    (0.35, 0.45, 0.2),
    (0.2, 0.5, 0.3),
    (0.3, 0.5, 0.2),
    (0.4, 0.4, 0.2),
)
for _k, _d, _s in WEIGHTS:
    SETTINGS[f"weights {_k}/{_d}/{_s}"] = (
        "convex",
        {"weights": {"keyword": _k, "dense": _d, "sparse": _s}},
    )

# Third round (issue 23): a dictionary word is corrected only to another form of itself.
_KEEPS = {"spelling_keeps_words": True}
SETTINGS["spelling keeps dictionary words"] = ("convex", _KEEPS)
for _leg in ("keyword", "dense", "sparse"):
    SETTINGS[f"{_leg} only, spelling keeps dictionary words"] = (_leg, _KEEPS)

SETTINGS["corrected: holding every word first"] = ("convex", {"corrected_complete_first": True})
SETTINGS["corrected: holding every word first, keeps dictionary words"] = (
    "convex",
    {"corrected_complete_first": True, **_KEEPS},
)

SETTINGS["narrower words count for the coverage"] = ("convex", {"narrower_coverage": True})

GRID_BOOSTS = (1.2, 1.35, 1.5)


def grid_settings() -> dict[str, tuple[str, dict]]:
    """Return every weighting of the three legs in steps of 0.1 (each at least 0.1)."""
    out = {}
    for k in range(1, 9):
        for d in range(1, 10 - k):
            s = 10 - k - d
            for b in GRID_BOOSTS:
                weights = {"keyword": k / 10, "dense": d / 10, "sparse": s / 10}
                out[f"grid {k / 10}/{d / 10}/{s / 10} boost {b}"] = (
                    "convex",
                    {"weights": weights, "learned_boost": b},
                )
    return out


def load_eval():
    """Import the shared kb_eval.py for its metrics."""
    spec = importlib.util.spec_from_file_location("kb_eval", SHARED / "eval" / "kb_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cache_queries(kb) -> None:
    """Memoise the query encoders: every setting asks the same questions."""
    import numpy as np

    embedder = kb.indexes.embedder
    original = embedder.embed_queries
    embed = functools.lru_cache(maxsize=None)(lambda t: original([t])[0])
    embedder.embed_queries = lambda texts: np.stack([embed(t) for t in texts])
    encoder = kb.indexes.sparse_encoder
    if encoder is not None:
        sparse = encoder.encode_queries
        enc = functools.lru_cache(maxsize=None)(lambda t: sparse([t]))
        encoder.encode_queries = lambda texts: enc(texts[0]) if len(texts) == 1 else sparse(texts)


def score(kb, ev, queries, method: str, overrides: dict, viewers) -> dict:
    """Ask every question with one setting; return per-type nDCG and the failures."""
    from kb.search.query.hybrid import SearchRequest

    searcher = kb.finder.searcher()
    searcher.params = replace(searcher.params, **overrides)
    per_type: dict[str, list[float]] = {}
    rows, nothing, leaks = [], [], 0
    for q in queries["search"]:
        viewer = viewers[q.get("as", VIEWER)]
        result = searcher.search(SearchRequest(text=q["q"], viewer=viewer, method=method))
        ranked = [h.source for h in result.hits]
        leaks += len(set(ranked) & set(q.get("must_not_see", [])))
        if q["type"] == "nothing":
            nothing.append(not ranked)
            rows.append((q["id"], "nothing", float(not ranked), len(ranked), ranked[:3]))
            continue
        value = ev.ndcg(ranked, q["relevant"], 10)
        per_type.setdefault(q["type"], []).append(value)
        rows.append((q["id"], q["type"], value, len(ranked), ranked[:3]))
    flat = [v for vs in per_type.values() for v in vs]
    return {
        "all": statistics.mean(flat) if flat else float("nan"),
        "types": {t: statistics.mean(v) for t, v in per_type.items()},
        "nothing": (sum(nothing), len(nothing)),
        "leaks": leaks,
        "rows": rows,
        "length": statistics.mean(r[3] for r in rows) if rows else 0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", nargs="?", default=ROOT / "tests" / "judged" / "bundle", type=Path)
    ap.add_argument(
        "queries", nargs="?", default=ROOT / "tests" / "judged" / "tuning.yaml", type=Path
    )
    ap.add_argument("--instance", type=Path)
    ap.add_argument("--set", action="append", default=[], help="only these settings")
    ap.add_argument(
        "--grid",
        action="store_true",
        help="also every leg weighting in steps of 0.1 with each learned boost of GRID_BOOSTS",
    )
    ap.add_argument("--detail", action="append", default=[], help="print each question of these")
    args = ap.parse_args(argv)

    from kb.access import Viewer
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    ev = load_eval()
    queries = yaml.safe_load(args.queries.read_text(encoding="utf-8"))
    instance = args.instance or Path(tempfile.mkdtemp(prefix="kb-tune-"))
    kb = KnowledgeBase(load_settings(instance))
    start = time.perf_counter()
    kb.documents.ingest(args.bundle)
    print(f"ingest {time.perf_counter() - start:.1f} s into {instance}", file=sys.stderr)
    cache_queries(kb)
    viewers = {VIEWER: Viewer(person_id=VIEWER, unit=None)}
    for q in queries["search"]:
        if q.get("as"):
            viewers[q["as"]] = kb.people.viewer(q["as"])
    if args.grid:
        SETTINGS.update(grid_settings())
        args.set.extend(grid_settings())
    types = sorted({q["type"] for q in queries["search"]} - {"nothing"})
    print(f"| method | nDCG@10 | {' | '.join(types)} | nothing | leaks | mean hits |")
    print("|---|---|" + "---|" * len(types) + "---|---|---|")
    for name, (method, overrides) in SETTINGS.items():
        if args.set and name not in args.set:
            continue
        r = score(kb, ev, queries, method, overrides, viewers)
        cells = " | ".join(f"{r['types'].get(t, float('nan')):.3f}" for t in types)
        empty, n = r["nothing"]
        print(
            f"| {name} | {r['all']:.3f} | {cells} | {empty}/{n} | {r['leaks']} | "
            f"{r['length']:.1f} |",
            flush=True,
        )
        if name in args.detail:
            for row in r["rows"]:
                print(f"    {row[0]:6} {row[1]:12} {row[2]:.2f} n={row[3]:2d} {row[4]}")
    null = kb.finder.searcher().calibration(kb.finder.searcher())
    print("null:", {k: (round(v.mean, 4), round(v.std, 4)) for k, v in null.items()})
    kb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
