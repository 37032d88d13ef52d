"""The database is the truth: the derived indexes are checked and rebuilt from it."""

from __future__ import annotations

from kb.access import Viewer
from kb.search.indexes.keyword import VERSION_FILE
from kb.search.query.hybrid import SearchRequest


def found(kb, text: str, method: str = "convex") -> list[str]:
    request = SearchRequest(text=text, viewer=Viewer.system(), method=method)
    return [h.source for h in kb.finder.search(request).hits]


def test_a_keyword_index_written_by_older_code_is_rebuilt_at_start_up(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    first = make_kb()
    first.documents.ingest(bundle.root)
    first.close()
    (first.indexes.keyword.path / VERSION_FILE).write_text("0")
    again = make_kb()
    assert "material/schack.md" in found(again, "schackklubben", "keyword")


def test_a_missing_vector_index_is_rebuilt_at_start_up(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    first = make_kb()
    first.documents.ingest(bundle.root)
    first.close()
    (first.settings.index_path / "vectors" / "vectors.faiss").unlink()
    again = make_kb()
    assert "material/schack.md" in found(again, "schackklubben på rasterna", "dense")


def test_a_torn_vector_index_is_rebuilt_at_start_up(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    first = make_kb()
    first.documents.ingest(bundle.root)
    first.close()
    path = first.settings.index_path / "vectors" / "vectors.faiss"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    again = make_kb()
    assert "material/schack.md" in found(again, "schackklubben på rasterna", "dense")


def test_reindex_verify_repairs_a_document_missing_from_the_keyword_index(make_kb, bundle):
    bundle.doc("material/a.md", "Schackklubben på rasterna.", title="Schack")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    kb.indexes.keyword.apply([], [next(iter(kb.indexes.catalog().docs))])
    report = kb.indexes.sync_indexes()
    assert report.keyword_updated == 1
    assert "material/a.md" in found(kb, "schackklubben", "keyword")


def test_changes_made_by_another_process_are_seen_before_the_next_search(make_kb, bundle):
    bundle.doc("material/a.md", "Högläsning i F-3.", title="Högläsning")
    server = make_kb()
    server.documents.ingest(bundle.root)
    assert found(server, "schack") == [] or "material/b.md" not in found(server, "schack")
    other = make_kb()  # the same instance folder, as `kb ingest` beside `kb serve`
    bundle.doc("material/b.md", "Schackklubben på rasterna.", title="Schack")
    other.documents.ingest(bundle.root)
    assert "material/b.md" in found(server, "schackklubben")


def test_a_search_under_way_keeps_its_keyword_reader_when_a_new_commit_lands(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    kb = make_kb(keyword_backend="whoosh")  # Whoosh's readers (tantivy's are snapshots)
    kb.documents.ingest(bundle.root)
    under_way = kb.indexes.keyword.searcher()  # what a request thread holds mid-search
    bundle.doc("material/go.md", "Goklubben på rasterna.", title="Go")
    kb.documents.ingest(bundle.root)
    assert kb.indexes.keyword.searcher() is not under_way  # later searches see the new commit
    assert under_way.doc_count() == 1  # and the one under way can still read its own


def test_parsing_a_query_never_reads_the_index_files(make_kb, bundle):
    bundle.doc("material/schack.md", "Schackklubben på rasterna.", title="Schack")
    kb = make_kb(keyword_backend="whoosh")  # Whoosh's table of contents
    kb.documents.ingest(bundle.root)
    for toc in (kb.settings.index_path / "whoosh").glob("*.toc"):
        toc.unlink()  # as a commit's clean-up in another process may, mid-search
    assert kb.indexes.keyword.parse("schackklubben på rasterna") is not None
