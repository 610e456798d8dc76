"""Crash-safe streaming WAV writer (24-bit PCM) and the repair of a header a crash left stale.

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
from aiwisper.audio.pcm import SESSION_WIDTH, float_to_steps, steps_to_bytes

HEADER_BYTES = 44


def _header(channels: int, rate: int, data_bytes: int, width: int = SESSION_WIDTH) -> bytes:
    block = channels * width
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 8 * width)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def header_format(head: bytes) -> tuple[int, int]:
    """(channels, bytes a sample) from the 44-byte header of a file this app wrote (16-bit before 24-bit)."""
    channels, bits = struct.unpack("<H", head[22:24])[0], struct.unpack("<H", head[34:36])[0]
    return channels, max(1, bits // 8)


class WavWriter:
    """Appends interleaved float frames as 24-bit PCM; rewrites the header every `flush_interval` seconds."""

    def __init__(self, path: Path, channels: int, rate: int = SAMPLE_RATE, flush_interval: float = 0.5) -> None:
        self.path = path
        self.channels = channels
        self.rate = rate
        self.flush_interval = flush_interval
        self.width = SESSION_WIDTH
        self._written = 0  # data bytes the OS accepted
        # Unbuffered: a byte counted is a byte in the file, even when the disk fills up mid-write.
        self._f: BinaryIO | None = path.open("xb", buffering=0)
        self._f.write(_header(channels, rate, 0, self.width))
        self._last_flush = time.monotonic()
        self._dither = np.random.default_rng(0)  # reproducible files from the same input

    @property
    def frames(self) -> int:
        """Whole frames in the file."""
        return self._written // (self.channels * self.width)

    @property
    def data_bytes(self) -> int:
        return self.frames * self.channels * self.width

    def write_float(self, samples: npt.NDArray[np.float32]) -> None:
        """Append float samples in [-1, 1], shaped (n, channels) or (n,) for one channel, as dithered PCM
        (see `pcm.float_to_steps`)."""
        if self._f is None:
            raise ValueError("the WAV file is closed")
        data = np.asarray(samples, dtype=np.float32)
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {data.shape[1]}")
        view = memoryview(steps_to_bytes(float_to_steps(data, self.width, self._dither), self.width))
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

    def flush(self) -> None:
        """Make the header describe every whole frame written (the data is already with the OS)."""
        if self._f is None:
            return
        os.pwrite(self._f.fileno(), _header(self.channels, self.rate, self.data_bytes, self.width), 0)
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

    A trailing partial frame is cut off. Only files this app wrote (44-byte PCM header, 16 or 24 bits) are handled.
    """
    with path.open("r+b") as f:
        head = f.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:16] != b"WAVEfmt " or head[36:40] != b"data":
            raise ValueError(f"{path} is not a WAV file written by AIWisper")
        _, _, channels, rate, _, block, bits = struct.unpack("<IHHIIHH", head[16:36])
        width = bits // 8
        if bits not in (16, 24) or channels == 0 or block != channels * width:
            raise ValueError(f"{path} is not a WAV file written by AIWisper ({bits}-bit, {channels} channels)")
        size = f.seek(0, os.SEEK_END)
        frames = (size - HEADER_BYTES) // block
        f.truncate(HEADER_BYTES + frames * block)
        f.seek(0)
        f.write(_header(channels, rate, frames * block, width))
        f.flush()
        os.fsync(f.fileno())
    return frames, channels
