"""Crash-safe streaming WAV writer (PCM16) and the repair of a header a crash left stale.

Samples are appended as they come; at a fixed interval the data is flushed to
the OS and the RIFF and data sizes are rewritten in place, so after `kill -9`
the file plays and holds all but the last interval. Memory stays flat.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE

HEADER_BYTES = 44


def _header(channels: int, rate: int, data_bytes: int) -> bytes:
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def float_to_pcm16(
    samples: npt.NDArray[np.float32], dither: np.random.Generator | None = None
) -> npt.NDArray[np.int16]:
    """Float samples in [-1, 1] to PCM16, to the nearest step; what lies outside is clipped.

    With `dither`, samples between the steps get triangular (TPDF) dither of ±1 step first, so the rounding
    error is noise rather than distortion; samples on the PCM16 grid (a 16-bit source, digital silence) are
    stored exactly.
    Quiet speech needs it: at −63 dBFS a word is ~20 steps, and truncated (as this was) or merely rounded it
    changed whisper's words ("his" → "its", a first "And" lost) where the dithered file gave the float's."""
    x = np.asarray(samples, dtype=np.float64) * 32768
    steps = np.round(x)
    if dither is not None:
        steps = np.where(steps == x, steps, np.round(x + dither.random(x.shape) - dither.random(x.shape)))
    return np.clip(steps, -32768, 32767).astype(np.int16)


class WavWriter:
    """Appends interleaved PCM16 frames; rewrites the header every `flush_interval` seconds."""

    def __init__(self, path: Path, channels: int, rate: int = SAMPLE_RATE, flush_interval: float = 0.5) -> None:
        self.path = path
        self.channels = channels
        self.rate = rate
        self.flush_interval = flush_interval
        self._written = 0  # data bytes the OS accepted
        # Unbuffered: a byte counted is a byte in the file, even when the disk fills up mid-write.
        self._f: BinaryIO | None = path.open("xb", buffering=0)
        self._f.write(_header(channels, rate, 0))
        self._last_flush = time.monotonic()
        self._dither = np.random.default_rng(0)  # reproducible files from the same input

    @property
    def frames(self) -> int:
        """Whole frames in the file."""
        return self._written // (self.channels * 2)

    @property
    def data_bytes(self) -> int:
        return self.frames * self.channels * 2

    def write(self, frames: npt.NDArray[np.int16]) -> None:
        """Append `frames`, shaped (n, channels) or (n,) for one channel."""
        if self._f is None:
            raise ValueError("the WAV file is closed")
        data = np.ascontiguousarray(frames, dtype="<i2")
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {data.shape[1]}")
        view = memoryview(data.tobytes())
        try:
            while view:
                n = self._f.write(view) or 0
                self._written += n
                view = view[n:]
        except OSError:
            self.flush()  # the header in place needs no new space: the file stays playable
            raise
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def write_float(self, samples: npt.NDArray[np.float32]) -> None:
        """Append float samples in [-1, 1], converted to PCM16 with dither (see `float_to_pcm16`)."""
        self.write(float_to_pcm16(samples, self._dither))

    def flush(self) -> None:
        """Make the header describe every whole frame written (the data is already with the OS)."""
        if self._f is None:
            return
        os.pwrite(self._f.fileno(), _header(self.channels, self.rate, self.data_bytes), 0)
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Final header, fsync, close; safe to call twice."""
        if self._f is None:
            return
        try:
            self.flush()
            os.fsync(self._f.fileno())
        finally:
            self._f.close()
            self._f = None


def repair_wav(path: Path) -> tuple[int, int]:
    """Make the header match the data actually in the file; return (frames, channels).

    A trailing partial frame is cut off. Only files this app wrote (44-byte PCM16 header) are handled.
    """
    with path.open("r+b") as f:
        head = f.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:16] != b"WAVEfmt " or head[36:40] != b"data":
            raise ValueError(f"{path} is not a WAV file written by AIWisper")
        _, _, channels, rate, _, block, _bits = struct.unpack("<IHHIIHH", head[16:36])
        size = f.seek(0, os.SEEK_END)
        frames = (size - HEADER_BYTES) // block
        f.truncate(HEADER_BYTES + frames * block)
        f.seek(0)
        f.write(_header(channels, rate, frames * block))
        f.flush()
        os.fsync(f.fileno())
    return frames, channels
