"""Reading PCM WAV files into float32 mono at 16 kHz."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio.pcm import bytes_to_float
from aiwisper.audio.resample import to_16k
from aiwisper.errors import InvalidArgumentError


def read_wav_16k(path: Path) -> npt.NDArray[np.float32]:
    """Decode a PCM WAV file, mix its channels down and resample to 16 kHz."""
    try:
        with wave.open(str(path), "rb") as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as e:
        raise InvalidArgumentError(f"{path.name} is not a readable WAV file: {e}") from e
    if width not in (1, 2, 3, 4):
        raise InvalidArgumentError(f"{path.name}: {8 * width}-bit WAV is not supported")
    samples = bytes_to_float(raw[: len(raw) - len(raw) % (width * channels)], width)
    mono = samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return to_16k(mono, rate)
