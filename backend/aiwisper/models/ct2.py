"""Reader for CTranslate2 `model.bin` files (binary version 6).

Layout, from CTranslate2's `ModelSpec._serialize`: version, spec name, spec
revision, the variables (name, rank, dims, dtype id, byte count, data) and the
aliases (name → variable name). Strings are a uint16 length counting a
trailing NUL, then UTF-8 bytes.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.errors import ModelFormatError

# CTranslate2 `python/ctranslate2/specs/model_spec.py` `_dtype_to_type_id`.
_DTYPES: dict[int, np.dtype[np.generic]] = {
    0: np.dtype(np.float32),
    1: np.dtype(np.int8),
    2: np.dtype(np.int16),
    3: np.dtype(np.int32),
    4: np.dtype(np.float16),
}
SUPPORTED_BINARY_VERSIONS = (5, 6)


@dataclass(frozen=True)
class Ct2Model:
    """The variables of one CTranslate2 model, as read-only arrays over the file."""

    spec: str
    revision: int
    variables: dict[str, npt.NDArray[np.generic]]
    aliases: dict[str, str]

    def get(self, name: str) -> npt.NDArray[np.generic]:
        """The variable `name`, following aliases; a clear error when missing."""
        target = self.aliases.get(name, name)
        try:
            return self.variables[target]
        except KeyError:
            raise ModelFormatError(f"model.bin has no variable {name!r}") from None

    def scalar(self, name: str, default: int) -> int:
        """An integer scalar variable such as `encoder/num_heads`, or `default`."""
        value = self.variables.get(name)
        return default if value is None else int(value.reshape(()))


class _Cursor:
    def __init__(self, buf: mmap.mmap | bytes, path: Path) -> None:
        self.buf = buf
        self.pos = 0
        self.path = path

    def take(self, n: int) -> memoryview:
        end = self.pos + n
        if end > len(self.buf):
            raise ModelFormatError(f"{self.path} is truncated: needs {end} bytes, has {len(self.buf)}")
        view = memoryview(self.buf)[self.pos : end]
        self.pos = end
        return view

    def unpack(self, fmt: str) -> tuple[int, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def string(self) -> str:
        (n,) = self.unpack("H")
        raw = bytes(self.take(n))
        if n == 0 or raw[-1] != 0:
            raise ModelFormatError(f"{self.path}: malformed string at byte {self.pos}")
        return raw[:-1].decode("utf-8")


def read_ct2(path: Path) -> Ct2Model:
    """Map `path` (a CTranslate2 `model.bin`) and return its variables without copying."""
    with path.open("rb") as f:
        try:
            buf: mmap.mmap | bytes = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file: mmap refuses zero length
            buf = b""
    cur = _Cursor(buf, path)
    (version,) = cur.unpack("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise ModelFormatError(f"{path} is not a CTranslate2 model of a supported version (binary version {version})")
    spec = cur.string()
    (revision,) = cur.unpack("I")
    (count,) = cur.unpack("I")
    variables: dict[str, npt.NDArray[np.generic]] = {}
    for _ in range(count):
        name = cur.string()
        (rank,) = cur.unpack("B")
        dims = cur.unpack(f"{rank}I")
        (type_id, nbytes) = cur.unpack("BI")
        dtype = _DTYPES.get(type_id)
        if dtype is None:
            raise ModelFormatError(f"{path}: variable {name!r} has unsupported dtype id {type_id}")
        expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
        if nbytes != expected:
            raise ModelFormatError(f"{path}: variable {name!r} holds {nbytes} bytes, expected {expected}")
        data = cur.take(nbytes)
        variables[name] = np.frombuffer(data, dtype=dtype).reshape(dims)
    (n_aliases,) = cur.unpack("I")
    aliases = {}
    for _ in range(n_aliases):
        alias = cur.string()
        aliases[alias] = cur.string()
    return Ct2Model(spec=spec, revision=revision, variables=variables, aliases=aliases)
