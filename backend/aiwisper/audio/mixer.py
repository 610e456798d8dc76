"""Keeps mic and system audio on one timeline and measures their levels. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE

Floats = npt.NDArray[np.float32]
_FLOOR_DB = -120.0


def to_db(x: float) -> float:
    return _FLOOR_DB if x <= 1e-6 else max(_FLOOR_DB, 20.0 * float(np.log10(x)))


@dataclass(frozen=True)
class Level:
    """RMS and peak of a source over the last measurement window, in dBFS."""

    rms_db: float
    peak_db: float


class Mixer:
    """Aligns sources sample by sample; a source that falls `max_lag_s` behind is padded with silence."""

    def __init__(self, sources: list[str], max_lag_s: float = 1.0) -> None:
        self.sources = sources
        self._buffers: list[list[Floats]] = [[] for _ in sources]
        self._sizes = [0] * len(sources)  # samples buffered, not yet pulled
        self._totals = [0] * len(sources)  # samples ever pushed, padding included
        self._max_lag = int(max_lag_s * SAMPLE_RATE)
        self.padded = [0] * len(sources)  # samples of silence inserted per source
        self._sq = np.zeros(len(sources))
        self._peak = np.zeros(len(sources))
        self._count = 0

    def push(self, source: int, samples: Floats) -> None:
        if not samples.size:
            return
        if self._totals[source] == 0 and max(self._totals) > 0:
            # A source that starts late joins the timeline where the others are now.
            gap = max(self._totals) - samples.size
            if gap > 0:
                self._append(source, np.zeros(gap, dtype=np.float32))
                self.padded[source] += gap
        self._append(source, np.asarray(samples, dtype=np.float32))

    def _append(self, source: int, samples: Floats) -> None:
        self._buffers[source].append(samples)
        self._sizes[source] += samples.size
        self._totals[source] += samples.size

    def pull(self) -> Floats:
        """Aligned frames available from every source, shaped (n, sources); may be empty."""
        most = max(self._sizes)
        for i, size in enumerate(self._sizes):
            if most - size > self._max_lag:
                gap = most - size - self._max_lag // 2
                self._append(i, np.zeros(gap, dtype=np.float32))
                self.padded[i] += gap
        n = min(self._sizes)
        out = np.empty((n, len(self.sources)), dtype=np.float32)
        if n == 0:
            return out
        for i in range(len(self.sources)):
            joined = np.concatenate(self._buffers[i]) if len(self._buffers[i]) > 1 else self._buffers[i][0]
            out[:, i] = joined[:n]
            rest = joined[n:]
            self._buffers[i] = [rest] if rest.size else []
            self._sizes[i] = rest.size
        self._sq += np.sum(out.astype(np.float64) ** 2, axis=0)
        self._peak = np.maximum(self._peak, np.max(np.abs(out), axis=0))
        self._count += n
        return out

    def drain(self) -> Floats:
        """Everything left, the short sources padded with silence (at the end of a recording)."""
        most = max(self._sizes)
        for i, size in enumerate(self._sizes):
            if size < most:
                self._append(i, np.zeros(most - size, dtype=np.float32))
        return self.pull()

    def levels(self) -> dict[str, Level]:
        """Levels since the last call, per source."""
        if self._count == 0:
            return {name: Level(_FLOOR_DB, _FLOOR_DB) for name in self.sources}
        rms = np.sqrt(self._sq / self._count)
        out = {name: Level(to_db(float(rms[i])), to_db(float(self._peak[i]))) for i, name in enumerate(self.sources)}
        self._sq[:] = 0
        self._peak[:] = 0
        self._count = 0
        return out
