"""Float samples to and from little-endian PCM of 1–4 bytes a sample. Pure functions.

Session files are 24-bit: at 16 bits, speech recorded at −63 dBFS is about 20 steps high, and the rounding noise
(dithered or not) was enough to change whisper's words ("his" → "its" in 11 of 16 shifted copies of one
LibriVox sentence, 0 of 16 at 24 bits or in float)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
Steps = npt.NDArray[np.int32]

SESSION_WIDTH = 3  # bytes a sample in the files the app writes: 24-bit


def full_scale(width: int) -> int:
    """The step count of 1.0 at `width` bytes a sample (32768 for PCM16)."""
    return 1 << (8 * width - 1)


def float_to_steps(samples: Floats, width: int, dither: np.random.Generator | None = None) -> Steps:
    """Float samples in [-1, 1] to PCM steps, to the nearest step; what lies outside is clipped.

    With `dither`, samples between the steps get triangular (TPDF) dither of ±1 step first, so the rounding
    error is noise rather than distortion; samples on the grid (a source of this depth or less, digital
    silence) are stored exactly."""
    scale = full_scale(width)
    x = np.asarray(samples, dtype=np.float64) * scale
    steps = np.round(x)
    if dither is not None:
        steps = np.where(steps == x, steps, np.round(x + dither.random(x.shape) - dither.random(x.shape)))
    return np.clip(steps, -scale, scale - 1).astype(np.int32)


def steps_to_bytes(steps: Steps, width: int) -> bytes:
    """Signed steps as little-endian PCM of `width` bytes (8-bit PCM is unsigned, as WAV has it)."""
    if width == 1:
        return (np.asarray(steps) + 128).astype(np.uint8).tobytes()
    as_bytes = np.ascontiguousarray(steps, dtype="<i4").view(np.uint8).reshape(-1, 4)
    return as_bytes[:, :width].tobytes()


def bytes_to_float(raw: bytes, width: int) -> Floats:
    """Little-endian PCM of `width` bytes to float samples in [-1, 1); a partial last sample is ignored."""
    usable = len(raw) - len(raw) % width
    if width == 1:
        return ((np.frombuffer(raw[:usable], dtype=np.uint8).astype(np.float32) - 128) / 128).astype(np.float32)
    if width in (2, 4):
        ints = np.frombuffer(raw[:usable], dtype=f"<i{width}")
        return (ints.astype(np.float64) / full_scale(width)).astype(np.float32)
    if width != 3:
        raise ValueError(f"{8 * width}-bit PCM is not supported")
    padded = np.zeros((usable // 3, 4), dtype=np.uint8)
    padded[:, 1:] = np.frombuffer(raw[:usable], dtype=np.uint8).reshape(-1, 3)  # the top 3 bytes of an int32
    return (padded.view("<i4")[:, 0] / np.float32(1 << 31)).astype(np.float32)
