"""Time the keyword leg alone: kb's Whoosh index against tantivy on the same documents.

    python scripts/scale_keyword.py INSTANCE     # an instance bench_scale.py ingested

Both answer the bench's questions (top 50, nobody filtered out). tantivy here uses its default
tokenizer (no Swedish stemming or compound splitting, which kb's Whoosh analysis does), so it
is a bound on what a switch could gain, not a like-for-like replacement.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))


def main(instance: Path) -> int:
    import tantivy
    from bench_scale import queries
    from scale_serve import pct
    from sqlalchemy import create_engine, text

    from kb.search.indexes.keyword import KeywordIndex

    questions = queries()
    whoosh = KeywordIndex(instance / "index" / "whoosh")
    whoosh.open()
    engine = create_engine(f"sqlite:///{instance / 'kb.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(text("select id, title, coalesce(text, '') from documents")).all()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", stored=True, indexed=True)
    builder.add_text_field("title")
    builder.add_text_field("body")
    schema = builder.build()
    folder = tempfile.mkdtemp(prefix="kb-tantivy-")
    started = time.perf_counter()
    index = tantivy.Index(schema, path=folder)
    writer = index.writer()
    for doc_id, title, body in rows:
        writer.add_document(tantivy.Document(doc_id=doc_id, title=title, body=body))
    writer.commit()
    index.reload()
    built = time.perf_counter() - started
    searcher = index.searcher()

    def run(fn):
        times = []
        for q in questions:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
        return pct(times, 0.5), pct(times, 0.95)

    def tantivy_search(q):
        cleaned = re.sub(r"[^\w\s]", " ", q)
        query = index.parse_query(cleaned, ["title", "body"])
        return searcher.search(query, 50).hits

    whoosh.search(questions[0], None, 50)
    tantivy_search(questions[0])
    w50, w95 = run(lambda q: whoosh.search(q, None, 50))
    t50, t95 = run(tantivy_search)
    print(f"{len(rows)} documents, {len(questions)} questions, top 50")
    print(f"whoosh (kb's analysis)   p50 {w50:.1f} ms  p95 {w95:.1f} ms")
    print(
        f"tantivy (default tokens) p50 {t50:.1f} ms  p95 {t95:.1f} ms  (index built in {built:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
