"""whisper.cpp's ggml model file: writer, and a reader that validates a file end to end.

Layout (`whisper_model_load` in whisper.cpp): magic, eleven int32 hparams (the
last is ftype), the mel filters (n_mel, n_fft, floats), the vocabulary
(count, then length-prefixed raw bytes), then the tensors, each as n_dims,
name length, tensor type, dims innermost first, name, data.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from aiwisper.errors import ModelFormatError

MAGIC = 0x67676D6C  # "ggml"
QNT_VERSION = 2
QNT_VERSION_FACTOR = 1000

# ggml_type ids and their (values per block, bytes per block).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("f32", 1, 4),
    1: ("f16", 1, 2),
    2: ("q4_0", 32, 18),
    3: ("q4_1", 32, 20),
    6: ("q5_0", 32, 22),
    7: ("q5_1", 32, 24),
    8: ("q8_0", 32, 34),
}
TYPE_IDS = {name: tid for tid, (name, _, _) in GGML_TYPES.items()}
# ggml_ftype of a whole file, by the type its large matrices have.
FTYPES = {"f32": 0, "f16": 1, "q4_0": 2, "q4_1": 3, "q8_0": 7, "q5_0": 8, "q5_1": 9}

HPARAM_NAMES = (
    "n_vocab",
    "n_audio_ctx",
    "n_audio_state",
    "n_audio_head",
    "n_audio_layer",
    "n_text_ctx",
    "n_text_state",
    "n_text_head",
    "n_text_layer",
    "n_mels",
    "ftype",
)


@dataclass(frozen=True)
class HParams:
    """Whisper's dimensions as whisper.cpp reads them from the file header."""

    n_vocab: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int
    n_mels: int
    ftype: int

    @property
    def multilingual(self) -> bool:
        return self.n_vocab >= 51865

    @property
    def expected_tensors(self) -> int:
        """Tensor count whisper.cpp checks: stem and norms, 15 per encoder and 24 per decoder block."""
        return 11 + 15 * self.n_audio_layer + 24 * self.n_text_layer


def tensor_nbytes(type_id: int, n_values: int) -> int:
    """Bytes of a tensor of `n_values` values of ggml type `type_id`."""
    _, block, size = GGML_TYPES[type_id]
    if n_values % block:
        raise ModelFormatError(f"{n_values} values do not fill whole {GGML_TYPES[type_id][0]} blocks")
    return n_values // block * size


class GgmlWriter:
    """Streams one ggml file: header first, then tensors one at a time (flat memory)."""

    def __init__(self, out: BinaryIO, hparams: HParams, filters: npt.NDArray[np.float32], tokens: list[bytes]) -> None:
        self._out = out
        out.write(struct.pack("<i", MAGIC))
        out.write(struct.pack("<11i", *(getattr(hparams, n) for n in HPARAM_NAMES)))
        out.write(struct.pack("<ii", *filters.shape))
        out.write(np.ascontiguousarray(filters, dtype="<f4").tobytes())
        out.write(struct.pack("<i", len(tokens)))
        for tok in tokens:
            out.write(struct.pack("<i", len(tok)))
            out.write(tok)
        self.count = 0

    def tensor(self, name: str, shape: tuple[int, ...], type_id: int, data: bytes) -> None:
        """Write one tensor; `shape` is numpy order (outermost first)."""
        n_values = int(np.prod(shape))
        if len(data) != tensor_nbytes(type_id, n_values):
            raise ValueError(f"{name}: {len(data)} bytes for {shape} of type {type_id}")
        raw = name.encode("utf-8")
        self._out.write(struct.pack("<iii", len(shape), len(raw), type_id))
        self._out.write(struct.pack(f"<{len(shape)}i", *reversed(shape)))
        self._out.write(raw)
        self._out.write(data)
        self.count += 1


@dataclass(frozen=True)
class TensorInfo:
    """One tensor's header and where its data lies in the file."""

    name: str
    shape: tuple[int, ...]
    type_id: int
    offset: int
    nbytes: int

    @property
    def type_name(self) -> str:
        return GGML_TYPES[self.type_id][0]


@dataclass(frozen=True)
class GgmlInfo:
    """What a validated ggml file holds."""

    hparams: HParams
    n_tokens: int
    tensors: list[TensorInfo]
    file_bytes: int

    @property
    def weight_type(self) -> str:
        """The type of the large matrices (`f16`, `q8_0`, …), from the header's ftype."""
        ftype = self.hparams.ftype % QNT_VERSION_FACTOR
        names = {v: k for k, v in FTYPES.items()}
        return names.get(ftype, f"ftype {ftype}")


class _Reader:
    def __init__(self, f: BinaryIO, path: Path, size: int) -> None:
        self.f = f
        self.path = path
        self.size = size

    def read(self, n: int, what: str) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise ModelFormatError(f"{self.path.name} is truncated in {what}")
        return data

    def ints(self, n: int, what: str) -> tuple[int, ...]:
        return struct.unpack(f"<{n}i", self.read(4 * n, what))


def read_ggml(path: Path) -> GgmlInfo:
    """Validate a whisper.cpp ggml file: magic, hparams, filters, vocabulary, every tensor's size."""
    size = path.stat().st_size
    if size == 0:
        raise ModelFormatError(f"{path.name} is empty")
    with path.open("rb") as f:
        r = _Reader(f, path, size)
        if len(head := f.read(4)) < 4 or struct.unpack("<I", head)[0] != MAGIC:
            raise ModelFormatError(f"{path.name} is not a whisper.cpp ggml model (wrong magic number)")
        hp = HParams(*r.ints(11, "the header"))
        if not (0 < hp.n_audio_layer <= 64 and 0 < hp.n_text_layer <= 64 and 0 < hp.n_vocab < 1_000_000):
            raise ModelFormatError(f"{path.name} has implausible dimensions: {hp}")
        n_mel, n_fft = r.ints(2, "the mel filters")
        if not (0 < n_mel <= 512 and 0 < n_fft <= 4096):
            raise ModelFormatError(f"{path.name} has an implausible mel filter bank ({n_mel}×{n_fft})")
        r.read(4 * n_mel * n_fft, "the mel filters")
        (n_tokens,) = r.ints(1, "the vocabulary")
        if not 0 < n_tokens <= hp.n_vocab:
            raise ModelFormatError(f"{path.name} declares {n_tokens} tokens for a {hp.n_vocab}-token model")
        for _ in range(n_tokens):
            (n,) = r.ints(1, "the vocabulary")
            if not 0 <= n < 1024:
                raise ModelFormatError(f"{path.name} has a corrupt vocabulary")
            r.read(n, "the vocabulary")
        tensors = list(_read_tensors(r))
    if len(tensors) != hp.expected_tensors:
        raise ModelFormatError(
            f"{path.name} has {len(tensors)} tensors, a model of this shape needs {hp.expected_tensors}"
        )
    return GgmlInfo(hparams=hp, n_tokens=n_tokens, tensors=tensors, file_bytes=size)


def _read_tensors(r: _Reader) -> Iterator[TensorInfo]:
    while head := r.f.read(12):
        if len(head) < 12:
            raise ModelFormatError(f"{r.path.name} is truncated in a tensor header")
        n_dims, name_len, type_id = struct.unpack("<iii", head)
        if not (1 <= n_dims <= 4 and 0 < name_len < 256) or type_id not in GGML_TYPES:
            raise ModelFormatError(f"{r.path.name} has a corrupt tensor header at byte {r.f.tell() - 12}")
        dims = r.ints(n_dims, "a tensor header")
        if any(d <= 0 for d in dims):
            raise ModelFormatError(f"{r.path.name} has a tensor with a non-positive dimension")
        name = r.read(name_len, "a tensor name").decode("utf-8", "replace")
        shape = tuple(reversed(dims))
        nbytes = tensor_nbytes(type_id, int(np.prod(shape, dtype=np.int64)))
        offset = r.f.tell()
        if offset + nbytes > r.size:
            raise ModelFormatError(
                f"{r.path.name} is truncated: tensor {name} needs {nbytes} bytes, {r.size - offset} remain"
            )
        r.f.seek(nbytes, 1)
        yield TensorInfo(name=name, shape=shape, type_id=type_id, offset=offset, nbytes=nbytes)
