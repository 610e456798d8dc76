"""ggml's reference quantizers, on values whose result is known by hand."""

from __future__ import annotations

import numpy as np

from aiwisper.models.quantize import dequantize_q8_0, quantize_q5_1, quantize_q8_0


def test_q8_0_block_layout_and_rounding() -> None:
    x = np.zeros(32, dtype=np.float32)
    x[0], x[1], x[2], x[3] = 127.0, -63.5, 0.5, -0.49
    raw = quantize_q8_0(x)
    assert len(raw) == 34
    assert np.frombuffer(raw[:2], dtype="<f2")[0] == 1.0  # scale = max|x| / 127
    q = np.frombuffer(raw[2:], dtype=np.int8)
    assert list(q[:4]) == [127, -64, 1, 0]  # halves round away from zero, as C roundf


def test_q8_0_all_zero_block() -> None:
    raw = quantize_q8_0(np.zeros(64, dtype=np.float32))
    assert raw == bytes(68)


def test_q8_0_round_trip_error() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=4096).astype(np.float32)
    back = dequantize_q8_0(quantize_q8_0(x), x.size)
    step = np.abs(x.reshape(-1, 32)).max(axis=1) / 127
    assert np.all(np.abs(back - x).reshape(-1, 32) <= step[:, None] * 0.563)


def test_q5_1_block_layout() -> None:
    x = np.arange(32, dtype=np.float32)  # min 0, max 31: d = 1, values map to themselves
    raw = quantize_q5_1(x)
    assert len(raw) == 24
    d, m = np.frombuffer(raw[:4], dtype="<f2")
    assert (d, m) == (1.0, 0.0)
    qh = int.from_bytes(raw[4:8], "little")
    qs = np.frombuffer(raw[8:], dtype=np.uint8)
    values = [(qs[j] & 0x0F) | (((qh >> j) & 1) << 4) for j in range(16)]
    values += [(qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4) for j in range(16)]
    assert values == list(range(32))
