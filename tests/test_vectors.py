"""Specs for the FAISS vector index: search, filtering, removal and safe persistence."""

import json

import numpy as np
import pytest

from kb.search.indexes.vectors import IndexCorrupt, IndexMismatch, VectorIndex

MODEL = "fake/test"
DIM = 8


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _ranked_index() -> tuple[VectorIndex, np.ndarray]:
    """Return an index whose ids 10, 20, 30, 40, 50 score 1.0, 0.9, ... against the query."""
    query = np.zeros(DIM, dtype=np.float32)
    query[0] = 1.0
    rows = []
    for cos in (1.0, 0.9, 0.8, 0.7, 0.6):
        row = np.zeros(DIM, dtype=np.float32)
        row[0], row[1] = cos, np.sqrt(1 - cos**2)
        rows.append(row)
    index = VectorIndex.create(MODEL, DIM)
    # Added out of order, so ranking cannot come from insertion order.
    order = [3, 0, 4, 1, 2]
    index.add(np.array([(i + 1) * 10 for i in order]), np.array([rows[i] for i in order]))
    return index, query


def test_search_returns_ids_best_first_with_their_scores():
    index, query = _ranked_index()

    hits = index.search(query, 3)

    assert [hit_id for hit_id, _ in hits] == [10, 20, 30]
    np.testing.assert_allclose([score for _, score in hits], [1.0, 0.9, 0.8], atol=1e-5)


def test_allowed_ids_filter_before_top_k_so_k_allowed_hits_still_come_back():
    index, query = _ranked_index()

    hits = index.search(query, 2, allowed_ids={30, 40, 50})

    assert [hit_id for hit_id, _ in hits] == [30, 40]


def test_search_returns_fewer_hits_when_fewer_vectors_are_allowed():
    index, query = _ranked_index()

    assert [hit_id for hit_id, _ in index.search(query, 5, allowed_ids=[50])] == [50]


def test_search_with_an_empty_allow_list_finds_nothing():
    index, query = _ranked_index()

    assert index.search(query, 5, allowed_ids=[]) == []


def test_search_on_an_empty_index_finds_nothing():
    assert VectorIndex.create(MODEL, DIM).search(np.ones(DIM, dtype=np.float32), 3) == []


def test_remove_drops_vectors_from_search_and_count():
    index, query = _ranked_index()

    removed = index.remove([10, 20, 999])

    assert removed == 2
    assert len(index) == 3
    assert sorted(index.ids().tolist()) == [30, 40, 50]
    assert index.search(query, 1)[0][0] == 30


def test_adding_an_existing_id_replaces_its_vector():
    index, query = _ranked_index()

    index.add([50], _unit(np.eye(DIM)[:1] * 2))

    assert len(index) == 5
    assert index.search(query, 1)[0][0] in (10, 50)
    assert dict(index.search(query, 5))[50] == pytest.approx(1.0, abs=1e-5)


def test_add_rejects_vectors_of_the_wrong_dim():
    with pytest.raises(ValueError, match="dim 8"):
        VectorIndex.create(MODEL, DIM).add([1], np.ones((1, DIM + 1), dtype=np.float32))


def test_save_then_load_gives_the_same_search_results(tmp_path):
    index, query = _ranked_index()
    index.save(tmp_path)

    loaded = VectorIndex.load(tmp_path, MODEL, DIM)

    assert len(loaded) == 5
    assert loaded.search(query, 5) == index.search(query, 5)
    assert loaded.search(query, 2, allowed_ids=[40, 50]) == index.search(
        query, 2, allowed_ids=[40, 50]
    )


def test_save_writes_the_model_dim_and_count_beside_the_index(tmp_path):
    index, _ = _ranked_index()
    index.save(tmp_path)

    meta = json.loads((tmp_path / "vectors.json").read_text())

    assert (meta["model"], meta["dim"], meta["count"]) == (MODEL, DIM, 5)


def test_save_leaves_only_the_two_index_files(tmp_path):
    index, _ = _ranked_index()
    index.save(tmp_path)
    index.save(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.faiss", "vectors.json"]


def test_loading_with_another_model_name_raises_index_mismatch(tmp_path):
    _ranked_index()[0].save(tmp_path)

    with pytest.raises(IndexMismatch, match="other-model"):
        VectorIndex.load(tmp_path, "other-model", DIM)


def test_loading_with_another_dim_raises_index_mismatch(tmp_path):
    _ranked_index()[0].save(tmp_path)

    with pytest.raises(IndexMismatch):
        VectorIndex.load(tmp_path, MODEL, DIM * 2)


def test_a_truncated_index_file_raises_index_corrupt(tmp_path):
    _ranked_index()[0].save(tmp_path)
    data = (tmp_path / "vectors.faiss").read_bytes()
    (tmp_path / "vectors.faiss").write_bytes(data[: len(data) // 2])

    with pytest.raises(IndexCorrupt):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_an_index_file_from_another_save_raises_index_corrupt(tmp_path):
    # What a crash between the two renames of a save would leave behind.
    first, second = tmp_path / "a", tmp_path / "b"
    index, _ = _ranked_index()
    index.save(first)
    index.remove([10])
    index.save(second)
    (first / "vectors.faiss").write_bytes((second / "vectors.faiss").read_bytes())

    with pytest.raises(IndexCorrupt):
        VectorIndex.load(first, MODEL, DIM)


def test_a_missing_index_file_raises_index_corrupt(tmp_path):
    _ranked_index()[0].save(tmp_path)
    (tmp_path / "vectors.faiss").unlink()

    with pytest.raises(IndexCorrupt):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_an_empty_directory_raises_index_corrupt(tmp_path):
    with pytest.raises(IndexCorrupt):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_an_unreadable_meta_file_raises_index_corrupt(tmp_path):
    _ranked_index()[0].save(tmp_path)
    (tmp_path / "vectors.json").write_text("{not json")

    with pytest.raises(IndexCorrupt):
        VectorIndex.load(tmp_path, MODEL, DIM)


def test_allowed_ids_match_an_exact_search_over_the_allowed_subset():
    rng = np.random.default_rng(7)
    vectors = _unit(rng.standard_normal((500, DIM)))
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = VectorIndex.create(MODEL, DIM)
    index.add(ids, vectors)
    query = _unit(rng.standard_normal((1, DIM)))[0]
    allowed = rng.choice(ids, size=60, replace=False)

    hits = index.search(query, 10, allowed_ids=set(allowed.tolist()))

    scores = vectors[allowed - 1000] @ query
    expected = allowed[np.argsort(-scores)[:10]].tolist()
    assert [hit_id for hit_id, _ in hits] == expected
