"""Whether a stereo file holds two parties, one on each channel, or one scene heard on both.

Call recorders (and AIWisper's own recordings: microphone and system audio) put each side of a call on its own
channel. Averaged to mono, two people who talk at once become one garbled voice that no engine can read; kept
apart, each is transcribed on its own, as a live recording's microphone and system audio are. A stereo
microphone, a dual-mono file or a mix panned a little hears every voice on both sides: one source, averaged.

The test, over the first ten minutes: the two sides are (nearly) unrelated signals, and both carry sound. One
scene heard twice correlates strongly at some small lag (a dual-mono file 1.0; a delayed, quieter copy 1.0); two
parties do not (the faster-whisper test file of two people talking at once: 0.05), even where one leaks into
the other's microphone. A file with one dead channel is mono.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import frame_rms
from aiwisper.files.decode import decode_16k

Floats = npt.NDArray[np.float32]

SCAN_S = 600.0  # the first ten minutes decide: a call's layout does not change within a file
BLOCK = 10 * SAMPLE_RATE  # correlated block by block: memory stays flat
MAX_LAG = SAMPLE_RATE // 40  # 25 ms: the delay between two microphones in one room, and more
UNRELATED = 0.15  # the largest normalized cross-correlation of two parties
FRAME = SAMPLE_RATE // 50  # 20 ms
ACTIVE_BELOW_DB = 25.0  # a side's frame within this of the file's loud frames carries sound
MIN_ACTIVE = 0.05  # each side carries sound in at least this share of the frames


class ChannelStats:
    """Cross-correlation (within ±MAX_LAG) and frame levels of two channels, fed block by block."""

    def __init__(self) -> None:
        self._cross = np.zeros(2 * MAX_LAG + 1)
        self._energy = np.zeros(2)
        self._levels: list[npt.NDArray[np.float64]] = []

    def push(self, frames: Floats) -> None:
        """`[n, 2]` frames."""
        for start in range(0, len(frames), BLOCK):
            block = frames[start : start + BLOCK]
            left, right = (side - side.mean() for side in np.asarray(block, dtype=np.float64).T)
            n = 1 << int(np.ceil(np.log2(len(block) + 2 * MAX_LAG + 1)))  # no wrap-around within ±MAX_LAG
            cross = np.fft.irfft(np.fft.rfft(left, n) * np.conj(np.fft.rfft(right, n)), n)
            self._cross += np.concatenate([cross[-MAX_LAG:], cross[: MAX_LAG + 1]])
            self._energy += [float(left @ left), float(right @ right)]
            rms = np.stack([frame_rms(block[:, 0], FRAME), frame_rms(block[:, 1], FRAME)])
            self._levels.append(20.0 * np.log10(np.maximum(rms, 1e-6)))

    def correlation(self) -> float:
        """The largest normalized cross-correlation within ±MAX_LAG (1.0: one signal, delayed and scaled)."""
        norm = float(np.sqrt(self._energy[0] * self._energy[1]))
        return float(np.max(np.abs(self._cross))) / norm if norm > 0 else 0.0

    def active(self) -> tuple[float, float]:
        """The share of frames in which each side carries sound (within ACTIVE_BELOW_DB of the loud frames)."""
        if not self._levels:
            return 0.0, 0.0
        levels = np.concatenate(self._levels, axis=1)
        loud = float(np.percentile(levels.max(axis=0), 90))
        if loud <= -100.0:
            return 0.0, 0.0
        shares = (levels >= loud - ACTIVE_BELOW_DB).mean(axis=1)
        return float(shares[0]), float(shares[1])

    def two_parties(self) -> bool:
        """Both sides carry sound, and not the same sound."""
        return min(self.active()) >= MIN_ACTIVE and self.correlation() < UNRELATED


def separate_channels(path: Path, channels: int) -> bool:
    """Whether the stereo file at `path` (`channels` from its probe) is transcribed channel by channel."""
    if channels != 2:
        return False
    stats = ChannelStats()
    frames = 0
    decoded = decode_16k(path, channels=2)
    try:
        for block in decoded:
            stats.push(block)
            frames += len(block)
            if frames >= SCAN_S * SAMPLE_RATE:
                break
    finally:
        decoded.close()
    return stats.two_parties()
