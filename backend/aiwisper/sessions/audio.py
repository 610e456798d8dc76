"""Reading a sample range of one channel of a session's WAV (chunks are ranges, not copies)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio.pcm import bytes_to_float
from aiwisper.audio.wav_writer import HEADER_BYTES, header_format


def read_range(path: Path, channel: int, start: int, end: int) -> npt.NDArray[np.float32]:
    """Samples [start, end) of `channel` as float32; stops at what the file holds (it may be growing).

    Sessions are 24-bit; those of earlier versions are 16-bit and read the same way."""
    with path.open("rb") as f:
        channels, width = header_format(f.read(HEADER_BYTES))
        block = channels * width
        f.seek(HEADER_BYTES + start * block)
        raw = f.read(max(0, end - start) * block)
    usable = len(raw) - len(raw) % block
    return np.ascontiguousarray(bytes_to_float(raw[:usable], width).reshape(-1, channels)[:, channel])
