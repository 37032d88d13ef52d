"""Time the keyword leg alone on both engines (Whoosh, tantivy), in one run, on the same documents.

    python scripts/scale_keyword.py INSTANCE [--copies N]

Both indexes are built afresh (in a temporary folder) from the instance's documents, each
document N times under new ids (to reach a size without ingesting one), with kb's own
analysis; both answer the bench's questions (top 50) for a viewer who sees everything and
one who sees 5 % of the documents. The machine's load average is printed beside the times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))


def documents(instance: Path, copies: int) -> list:
    """Return the instance's documents as KeywordDocs, each `copies` times under new ids."""
    from sqlalchemy import create_engine, text

    from kb.search.indexes.keywords import KeywordDoc

    engine = create_engine(f"sqlite:///{instance / 'kb.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("select id, title, coalesce(tags, ''), coalesce(text, '') from documents")
        ).all()
    out = []
    for copy in range(copies):
        for doc_id, title, tags, body in rows:
            words = " ".join(json.loads(tags or "[]"))
            out.append(KeywordDoc(copy * 1_000_000 + doc_id, 1, title, words, body))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv=None) -> int:
    from bench_scale import queries

    from kb.search.indexes.backends import BACKENDS, make_keyword_index

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", type=Path)
    ap.add_argument("--copies", type=int, default=1)
    args = ap.parse_args(argv)
    docs = documents(args.instance, args.copies)
    questions = queries()
    ids = [d.doc_id for d in docs]
    few = set(random.Random(5).sample(ids, max(1, len(ids) // 20)))
    folder = Path(tempfile.mkdtemp(prefix="kb-keyword-legs-"))
    print(f"{len(docs)} documents, {len(questions)} questions, top 50")
    for backend in BACKENDS:
        index = make_keyword_index(folder, backend)
        index.open(create=True)
        started = time.perf_counter()
        for start in range(0, len(docs), 2000):
            index.apply(docs[start : start + 2000], [])
        built = time.perf_counter() - started
        index.search(questions[0], None, 50)  # warm
        for label, allowed in (("sees all", None), ("sees 5 %", few)):
            times, hits = [], 0
            for q in questions:
                t = time.perf_counter()
                hits += len(index.search(q, allowed, 50))
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"{backend:8} {label}: p50 {pct(times, 0.5):7.2f} ms  p95 {pct(times, 0.95):7.2f} ms"
                f"  {hits / len(questions):.1f} hits a question (index built in {built:.1f} s)"
            )
        index.close()
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
