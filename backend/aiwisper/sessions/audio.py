"""Reading a sample range of one channel of a session's WAV (chunks are ranges, not copies)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio.wav_writer import HEADER_BYTES


def read_range(path: Path, channel: int, start: int, end: int) -> npt.NDArray[np.float32]:
    """Samples [start, end) of `channel` as float32; stops at what the file holds (it may be growing)."""
    with path.open("rb") as f:
        head = f.read(HEADER_BYTES)
        channels = struct.unpack("<H", head[22:24])[0]
        f.seek(HEADER_BYTES + start * channels * 2)
        raw = f.read(max(0, end - start) * channels * 2)
    usable = len(raw) - len(raw) % (channels * 2)
    frames = np.frombuffer(raw[:usable], dtype="<i2").reshape(-1, channels)
    return (frames[:, channel].astype(np.float32) / np.float32(32768)).astype(np.float32)
