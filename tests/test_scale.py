"""Specs for what keeps search fast at municipality size: IVF by size, narrow viewers, buffers."""

import os
import time

import numpy as np
from scipy import sparse as sp

from kb.access import Viewer
from kb.catalog import Catalog, DocInfo, Filters
from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import VectorIndex

DIM = 16


def _clustered(n: int, seed: int = 0) -> np.ndarray:
    """Return n unit vectors around 20 centres, like the topics of a real corpus."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, DIM))
    rows = centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, DIM))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _index(n: int = 3000) -> tuple[VectorIndex, np.ndarray]:
    index = VectorIndex.create("fake/test", DIM)
    rows = _clustered(n)
    index.add(np.arange(n) + 1000, rows)
    return index, rows


def test_a_small_index_searches_exactly():
    index, _ = _index(500)

    index.build_ann()

    assert index.kind() == "exact"


def test_from_the_size_threshold_an_ivf_index_answers_with_high_recall():
    index, rows = _index()
    queries = _clustered(30, seed=1)

    index.build_ann(min_vectors=1000)

    assert index.kind().startswith("ivf")
    found = [
        len({i for i, _ in index.search(q, 10)} & {i for i, _ in index.search(q, 10, exact=True)})
        for q in queries
    ]
    assert sum(found) / (10 * len(queries)) >= 0.9


def test_a_viewer_who_may_open_few_vectors_gets_the_exact_best_of_theirs():
    index, _ = _index()
    index.build_ann(min_vectors=1000)
    allowed = np.arange(1000, 4000, 25)  # 4 % of the vectors
    query = _clustered(1, seed=2)[0]

    hits = index.search(query, 10, allowed)

    assert hits == index.search(query, 10, allowed, exact=True)
    assert {i for i, _ in hits} <= set(allowed.tolist())


def test_removed_vectors_are_never_found_through_the_ivf_index():
    index, rows = _index()
    index.build_ann(min_vectors=1000)
    best = index.search(rows[7], 1)[0][0]

    index.remove([best])

    assert best not in {i for i, _ in index.search(rows[7], 50)}


def test_vectors_added_after_the_ivf_index_was_built_are_found():
    index, _ = _index()
    index.build_ann(min_vectors=1000)
    new = _clustered(1, seed=3)

    index.add([99], new)

    assert index.search(new[0], 1)[0][0] == 99


def test_a_copy_keeps_its_own_ivf_index():
    index, rows = _index()
    index.build_ann(min_vectors=1000)
    copy = index.copy()

    copy.remove([1000])

    assert copy.kind() == index.kind()
    assert index.search(rows[0], 1)[0][0] == 1000


def test_the_sparse_index_keeps_every_row_added_in_many_batches():
    index = SparseIndex("fake/sparse", 8)
    for start in range(0, 300, 3):
        index.add(range(start, start + 3), sp.csr_matrix(np.eye(8, dtype=np.float32)[:3]))
    index.add([4], sp.csr_matrix(np.eye(8, dtype=np.float32)[7:8]))

    ids, scores = index.scores(sp.csr_matrix(np.eye(8, dtype=np.float32)[7:8]))

    assert len(index) == 300
    assert sorted(index.ids().tolist()) == list(range(300))
    assert ids[scores > 0].tolist() == [4]


def _doc(doc_id: int, readers: set[str], kind: str = "material") -> DocInfo:
    return DocInfo(
        doc_id, f"material/d{doc_id}.md", kind, f"D{doc_id}", None, "sv", "unit", None, None,
        (), (), (), (), (), frozenset(readers),
    )  # fmt: skip


def test_a_colleague_sees_shared_unit_and_own_documents_in_catalog_order():
    docs = [
        _doc(5, {"person:eva"}),
        _doc(3, {"all"}),
        _doc(9, {"unit:Ek", "person:bo"}),
        _doc(1, {"unit:Alm", "person:al"}),
        _doc(7, {"person:bo"}, kind="reflection"),
    ]
    catalog = Catalog({d.id: d for d in docs}, {})
    eva = Viewer("eva", unit="Ek")

    assert catalog.visible(eva) == [5, 3, 9]
    assert catalog.visible(eva, Filters(kind="material")) == [5, 3, 9]
    assert catalog.visible(Viewer("bo", unit="Ek"), Filters(kind="reflection")) == [7]
    assert catalog.visible(Viewer.system()) == [5, 3, 9, 1, 7]


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def _count_reads(monkeypatch) -> list[str]:
    """Record the name of every file sent to the reading children."""
    import kb.ingest.readers as readers

    reads: list[str] = []
    real = readers.read_batch

    def counting(root, files, known, stopped=lambda: False):
        reads.extend(source.rsplit("/", 1)[-1] for source, _ in files)
        return real(root, files, known, stopped)

    monkeypatch.setattr(readers, "read_batch", counting)
    return reads


def test_reingesting_an_unchanged_bundle_reads_no_file_again_and_repeats_its_warnings(
    make_kb, monkeypatch
):
    from tests.conftest import BROKEN_BUNDLE

    kb = make_kb()
    first = kb.documents.ingest(BROKEN_BUNDLE)
    reads = _count_reads(monkeypatch)

    again = kb.documents.ingest(BROKEN_BUNDLE)

    assert {"okand-forfattare.md", "boksamtal-ak5.md"}.isdisjoint(reads)
    assert "oavslutad-front-matter.md" in reads  # a refused file is read again
    assert again.material.unchanged == first.material.added == again.reused == 2
    assert sorted(map(str, again.problems)) == sorted(map(str, first.problems))


def test_a_changed_file_is_read_again_and_stored_as_a_new_version(make_kb, tmp_path):
    from tests.conftest import SAMPLE_BUNDLE

    bundle = _copy(SAMPLE_BUNDLE, tmp_path / "bundle")
    kb = make_kb()
    kb.documents.ingest(bundle)
    path = next((bundle / "material").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nEtt nytt stycke om läsloggar.\n")

    report = kb.documents.ingest(bundle)

    assert report.material.updated == 1
    assert report.material.unchanged == report.material.total - 1


def test_a_document_deleted_since_the_last_ingest_is_read_and_stored_again(make_kb):
    from tests.conftest import SAMPLE_BUNDLE

    kb = make_kb()
    kb.documents.ingest(SAMPLE_BUNDLE)
    source = next(iter(kb.indexes.catalog().by_source))
    kb.documents.store.delete(source)

    report = kb.documents.ingest(SAMPLE_BUNDLE)

    assert report.material.added + report.reflections.added == 1
    assert source in kb.indexes.catalog().by_source


def test_the_top_of_a_long_score_list_is_the_stable_sort_of_it():
    from kb.search.query.hybrid import top_indices

    scores = np.round(np.random.default_rng(4).standard_normal(5000), 1)  # many ties

    for k in (1, 10, 150, 4999, 5000, 6000):
        assert top_indices(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_sparse_scores_are_the_dot_products_with_the_query():
    rng = np.random.default_rng(5)
    rows = sp.random(200, 64, density=0.1, format="csr", dtype=np.float32, random_state=rng)
    query = sp.random(1, 64, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    index = SparseIndex("fake/sparse", 64)
    index.add(range(200), rows)

    ids, scores = index.scores(query)

    assert ids.tolist() == list(range(200))
    assert np.allclose(scores, (rows @ query.T).toarray().ravel(), atol=1e-6)


def test_a_large_index_answers_exactly_until_its_ivf_is_built_aside(monkeypatch):
    import kb.search.indexes.vectors as vectors

    monkeypatch.setattr(vectors, "ANN_MIN_VECTORS", 1000)
    index, rows = _index()

    first = index.search(rows[0], 5)
    index._builder.join(60)

    assert first == index.search(rows[0], 5, exact=True)
    assert index.kind().startswith("ivf")


def _age(path, seconds: float) -> None:
    """Set a file's modification time `seconds` into the past."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def _ingested_twice(make_kb, tmp_path):
    """Return a knowledge base that ingested a copy of the sample (files a minute old) twice:
    the first re-ingest records each file's size and time."""
    from tests.conftest import SAMPLE_BUNDLE

    bundle = _copy(SAMPLE_BUNDLE, tmp_path / "bundle")
    for path in bundle.rglob("*"):
        if path.is_file():
            _age(path, 60)
    kb = make_kb()
    kb.documents.ingest(bundle)
    kb.documents.ingest(bundle)
    return kb, bundle


def test_an_unchanged_file_is_not_even_hashed_again_once_its_size_and_time_are_known(
    make_kb, tmp_path, monkeypatch
):
    import kb.ingest.manifest as manifest

    kb, bundle = _ingested_twice(make_kb, tmp_path)
    hashed: list[str] = []
    real = manifest.file_digest
    monkeypatch.setattr(manifest, "file_digest", lambda p, k: hashed.append(p.name) or real(p, k))

    report = kb.documents.ingest(bundle)

    assert hashed == []
    assert report.material.unchanged == report.material.total


def test_a_file_rewritten_to_the_same_size_is_read_again(make_kb, tmp_path):
    kb, bundle = _ingested_twice(make_kb, tmp_path)
    path = next((bundle / "material").rglob("*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("a", "e", 1), encoding="utf-8")  # same length, new words
    _age(path, 30)  # an older time than now, but not the one it had

    report = kb.documents.ingest(bundle)

    assert report.material.updated == 1


def test_which_ids_are_allowed_is_answered_as_np_isin_would():
    from kb.search.query.aggregate import within

    rng = np.random.default_rng(3)
    for top in (50, 100_000, 10**12):  # dense ids, and ids too sparse for a table
        ids = rng.integers(0, top, 2_000)
        allowed = rng.choice(ids, 300)
        assert (within(ids, allowed) == np.isin(ids, allowed)).all()
    assert not within(np.array([1, 2]), np.array([], dtype=np.int64)).any()
