"""The serving half of bench_scale.py: search, experts and txtai timed in one process."""

from __future__ import annotations

import importlib.util
import os
import statistics
import tempfile
import time
from pathlib import Path

import yaml

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
METHODS = (("hybrid", "convex"), ("keyword", "keyword"), ("semantic", "dense"))


def load_eval():
    spec = importlib.util.spec_from_file_location("kb_eval", SHARED / "eval" / "kb_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def timed(fn, items) -> dict:
    """Call fn on each item; return p50/p95 in ms."""
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50": pct(times, 0.5), "p95": pct(times, 0.95)}


def narrow_viewer(kb, catalog):
    """Return the colleague whose share of the corpus is nearest 5 %, and that share."""
    from sqlalchemy import select

    from kb.models import Person

    with kb.db.read() as session:
        people = session.execute(select(Person.id, Person.unit).where(Person.has_profile)).all()
    total = len(catalog.docs)
    best = None
    for pid, _unit in people[:: max(1, len(people) // 40)]:
        viewer = kb.people.viewer(pid)
        share = len(catalog.visible(viewer)) / total
        if best is None or abs(share - 0.05) < abs(best[1] - 0.05):
            best = (viewer, share)
    return best


def serve(kb, texts: list[str], peer: bool) -> dict:
    """Open the instance as the server does and time every search the table shows."""
    from bench_scale import rss_mb

    from kb.access import Viewer
    from kb.features.experts.queries import experts
    from kb.search.query.hybrid import SearchRequest

    started = time.perf_counter()
    catalog = kb.indexes.catalog()
    out = {"open_seconds": time.perf_counter() - started, "docs": len(catalog.docs)}
    out["chunks"] = len(catalog.chunk_doc)
    from kb.search.indexes.vectors import ANN_MIN_VECTORS

    if len(kb.indexes.vectors) >= ANN_MIN_VECTORS:
        # The server builds it aside at its first search; here it is built before timing.
        started = time.perf_counter()
        kb.indexes.vectors.build_ann()
        out["ann_build_seconds"] = time.perf_counter() - started
    narrow, share = narrow_viewer(kb, catalog)
    out["narrow_share"] = share
    viewers = (("all", Viewer.system()), ("5%", narrow))
    # Warm-up: the models, and every question's encoding, which the server remembers
    # (kb.search.model.memo) and txtai reads from the same embedder: the rows below time the
    # search itself for both systems; a question never asked before adds its encoding (the
    # single-query latency of `./dev bench-embed`) to either alike.
    # Both viewers: a question's corrected words and an English one's Swedish words are the
    # viewer's own (only words in what she may open count), so each may encode another text.
    for q in texts:
        for _, viewer in viewers:
            kb.finder.search(SearchRequest(text=q, viewer=viewer, limit=10))
    for vname, viewer in viewers:
        for label, method in METHODS:
            out[f"{label} {vname}"] = timed(
                lambda q, v=viewer, m=method: kb.finder.search(
                    SearchRequest(text=q, viewer=v, limit=10, method=m)
                ),
                texts,
            )
        out[f"experts {vname}"] = timed(lambda q, v=viewer: experts(kb, v, q), texts[:10])
    out["server_rss"] = rss_mb()[0]
    out["load"] = os.getloadavg()
    # Ranking alone (the legs and the fusion), without the snippets and their database reads:
    # the work txtai's search does, for a like-for-like ratio.
    bare = kb.finder.searcher()
    bare.texts = lambda doc_ids: {}
    for vname, viewer in viewers:
        out[f"ranking {vname}"] = timed(
            lambda q, v=viewer: bare.search(SearchRequest(text=q, viewer=v, limit=10)), texts
        )
    # The keyword leg alone: the engine with its permission filter, as a search runs it.
    for vname, viewer in viewers:
        mask = catalog.opened_by(viewer)  # None for one who may open everything
        out[f"keyword leg {vname}"] = timed(
            lambda q, a=mask: bare.keyword_leg(q, a, bare.params.candidates), texts
        )
    folder = kb.settings.index_path
    out["index_disk_mb"] = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    out["db_disk_mb"] = sum(p.stat().st_size for p in folder.parent.glob("kb.sqlite3*")) / 1e6
    out["ann"] = ann_facts(kb, texts)
    if peer:
        out["peer"] = peer_run(kb, catalog, texts, viewers)
    return out


def ann_facts(kb, texts: list[str]) -> dict:
    """Say which vector index serves and its recall@10 against exact search on these queries."""
    vectors = kb.indexes.vectors
    kind = vectors.kind()
    facts = {"kind": kind, "vectors": len(vectors)}
    if kind == "exact":
        if len(vectors) < 5000:
            return facts
        # Below the threshold the product searches exactly; build the IVF anyway to measure
        # its recall on these (real) vectors.
        vectors = vectors.copy()
        vectors.build_ann(min_vectors=0)
        facts["forced"] = vectors.kind()
    queries = kb.indexes.embedder.embed_queries(texts)
    hits = total = 0
    approx_ms, exact_ms = [], []
    for q in queries:
        t = time.perf_counter()
        exact = {c for c, _ in vectors.search(q, 10, exact=True)}
        exact_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        approx = {c for c, _ in vectors.search(q, 10)}
        approx_ms.append((time.perf_counter() - t) * 1000)
        hits, total = hits + len(exact & approx), total + len(exact)
    facts.update(recall10=hits / max(total, 1), exact_p50=pct(exact_ms, 0.5))
    facts["approx_p50"] = pct(approx_ms, 0.5)
    return facts


def build_peer(kb, catalog):
    """Index the same chunk texts in txtai with the same vectors (hybrid: BM25 + dense)."""
    from sqlalchemy import select
    from txtai import Embeddings

    from kb.models import Chunk, Document
    from kb.search.indexes.indexer import passage_text
    from kb.text.chunking import cap_passage

    embedder = kb.indexes.embedder

    def transform(texts):
        # txtai prepends the instructions; route each text to the model's own prefixing.
        if all(t.startswith("query: ") for t in texts):
            return embedder.embed_queries([t[len("query: ") :] for t in texts])
        return embedder.embed_passages([t.removeprefix("passage: ") for t in texts])

    with kb.db.read() as session:
        rows = session.execute(
            select(Chunk.id, Chunk.text, Document.title).join(Document).order_by(Chunk.id)
        ).all()
    peer = Embeddings(
        method="external",
        transform=transform,
        content=False,
        hybrid=True,
        instructions={"query": "query: ", "data": "passage: "},
        scoring={"method": "bm25", "terms": True, "normalize": True},
    )
    peer.index([(r[0], cap_passage(passage_text(r[2], r[1]))[0], None) for r in rows])
    return peer


def peer_search(peer, catalog, text: str, allowed: set[int] | None, weight: float) -> list[str]:
    """Search txtai and keep the documents the viewer may open, best chunk per document."""
    best: dict[int, float] = {}
    for chunk_id, score in peer.search(text, limit=150, weights=weight):
        doc = catalog.chunk_doc.get(int(chunk_id))
        # txtai has no access rules of its own: drop what the viewer may not open.
        if doc is not None and (allowed is None or doc in allowed):
            best[doc] = max(score, best.get(doc, float("-inf")))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])[:10]
    return [catalog.docs[d].source for d, _ in ranked]


def peer_run(kb, catalog, texts, viewers) -> dict:
    from bench_scale import rss_mb

    before = rss_mb()[0]
    started = time.perf_counter()
    peer = build_peer(kb, catalog)
    out = {"build_seconds": time.perf_counter() - started}
    for q in texts[:5]:
        peer.search(q, limit=150, weights=0.5)
    for vname, viewer in viewers:
        allowed = None if viewer.is_system else set(catalog.visible(viewer))
        for label, weight in (("hybrid", 0.5), ("keyword", 0.0), ("semantic", 1.0)):
            out[f"{label} {vname}"] = timed(
                lambda q, a=allowed, w=weight: peer_search(peer, catalog, q, a, w), texts
            )
    out["rss_added"] = rss_mb()[0] - before
    return out


def judged(open_kb, sets, peer: bool) -> dict:
    """Return nDCG@10 of kb's hybrid and txtai's hybrid on each judged set (same vectors)."""
    from kb.access import Viewer
    from kb.search.query.hybrid import SearchRequest

    ev = load_eval()
    out = {}
    for name, bundle, path in sets:
        qs = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["search"]
        kb = open_kb(Path(tempfile.mkdtemp(prefix="kb-judged-")), False)
        kb.documents.ingest(bundle)
        catalog = kb.indexes.catalog()
        default = Viewer(person_id="eval.viewer", unit="Utvärderingsenheten")
        mine, theirs = [], []
        built = build_peer(kb, catalog) if peer else None
        for q in qs:
            viewer = kb.people.viewer(q["as"]) if q.get("as") else default
            hits = kb.finder.search(SearchRequest(text=q["q"], viewer=viewer, limit=10)).hits
            mine.append(ev.ndcg([h.source for h in hits], q["relevant"], 10))
            if built is not None:
                allowed = set(catalog.visible(viewer))
                ranked = peer_search(built, catalog, q["q"], allowed, 0.5)
                theirs.append(ev.ndcg(ranked, q["relevant"], 10))
        out[name] = {
            "queries": len(qs),
            "kb": statistics.mean(mine),
            "peer": statistics.mean(theirs) if theirs else float("nan"),
        }
        kb.close()
    return out
