"""Sample-rate conversion with a real (soxr, VHQ) resampler."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

from aiwisper.audio import SAMPLE_RATE


def to_16k(audio: npt.NDArray[np.float32], rate: int) -> npt.NDArray[np.float32]:
    """Mono float32 at `rate` → mono float32 at 16 kHz."""
    if rate == SAMPLE_RATE:
        return np.ascontiguousarray(audio, dtype=np.float32)
    out = soxr.resample(np.asarray(audio, dtype=np.float32), rate, SAMPLE_RATE, quality="VHQ")
    return np.asarray(out, dtype=np.float32)
