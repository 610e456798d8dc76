"""ggml block quantizers (q8_0, q5_1), following ggml's reference implementations.

`quantize_row_q8_0_ref` and `quantize_row_q5_1_ref` in ggml-quants.c, done
block-wise in float32 numpy so the bytes equal whisper.cpp's `quantize` tool.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

QK = 32  # values per block, for both types

Floats = npt.NDArray[np.float32]


def _roundf(v: Floats) -> Floats:
    """C `roundf`: halves away from zero, exact in float32."""
    whole = np.trunc(v)
    frac = v - whole
    return whole + np.where(np.abs(frac) >= 0.5, np.sign(v), 0).astype(np.float32)


def _blocks(x: Floats) -> Floats:
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    if flat.size % QK:
        raise ValueError(f"{flat.size} values are not a whole number of {QK}-value blocks")
    return flat.reshape(-1, QK)


def quantize_q8_0(x: Floats) -> bytes:
    """Blocks of a float16 scale and 32 int8 values (34 bytes)."""
    b = _blocks(x)
    amax = np.max(np.abs(b), axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    q = _roundf(b * inv[:, None]).astype(np.int8)
    out = np.empty((b.shape[0], 34), dtype=np.uint8)
    out[:, :2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out.tobytes()


def quantize_q5_1(x: Floats) -> bytes:
    """Blocks of float16 scale and minimum, 32 high bits, and 16 bytes of low nibbles (24 bytes)."""
    b = _blocks(x)
    lo = np.min(b, axis=1)
    hi = np.max(b, axis=1)
    d = ((hi - lo) / np.float32(31)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    scaled = (b - lo[:, None]) * inv[:, None]
    q = (scaled + np.float32(0.5)).astype(np.uint8)  # C cast: truncation toward zero
    low, high = q[:, :16], q[:, 16:]
    qs = (low & 0x0F) | ((high & 0x0F) << 4)
    bits = np.concatenate([(low >> 4) & 1, (high >> 4) & 1], axis=1).astype(np.uint32)
    qh = np.sum(bits << np.arange(32, dtype=np.uint32), axis=1, dtype=np.uint32)
    out = np.empty((b.shape[0], 24), dtype=np.uint8)
    out[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:4] = lo.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 4:8] = qh.astype("<u4").view(np.uint8).reshape(-1, 4)
    out[:, 8:] = qs
    return out.tobytes()


def dequantize_q8_0(data: bytes, n: int) -> Floats:
    """Back to float32, for tests and checks."""
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 34)[: n // QK]
    d = raw[:, :2].copy().view(np.float16).astype(np.float32)
    q = raw[:, 2:].view(np.int8).astype(np.float32)
    return (q * d).reshape(-1)
