"""Finals computed ahead of time: when speech stops in an open chunk, the chunk is transcribed as its final while
the VAD waits out the silence that closes it. The audio after the silence began is not all written yet; it is
taken as silence (zeros) and, when the chunk closes, the result is used only if what came there is quiet indeed
(well below the speech, or below the room's floor); otherwise the chunk is transcribed again. Pure logic but for
the engine result it holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import DecodeOptions, EngineResult
from aiwisper.audio import SAMPLE_RATE

AFTER = SAMPLE_RATE * 32 // 1000  # silence heard before a final is computed ahead (one VAD frame): shorter
# dips inside a sentence would cost a decode each
QUIET_DB = -45.0  # a tail below this level is silence whatever the speech's level
BELOW_SPEECH_DB = 12.0  # or this far below the speech of the chunk
KEEP = 16


@dataclass(frozen=True)
class Ahead:
    """A final computed ahead: the engine, its options, the result, and how far real audio went (samples from
    the session's start; beyond it the engine heard zeros)."""

    path: Path
    options: DecodeOptions
    result: EngineResult
    heard_to: int


Key = tuple[str, str, int, int]  # session, source, start, closing end


def _db(x: npt.NDArray[np.float32]) -> float:
    return 20 * float(np.log10(max(float(np.sqrt(np.mean(x * x))) if x.size else 0.0, 1e-9)))


def quiet_tail(audio: npt.NDArray[np.float32], start: int, heard_to: int) -> bool:
    """Whether the chunk's audio (starting at sample `start`) after `heard_to` is quiet enough that zeros stood
    for it."""
    cut = max(0, min(len(audio), heard_to - start))
    tail, body = audio[cut:], audio[:cut]
    if tail.size == 0:
        return True
    level = _db(tail)
    return level <= QUIET_DB or level <= _db(body) - BELOW_SPEECH_DB


class Speculation:
    """Owned by the transcriber thread: finals computed ahead, by chunk."""

    def __init__(self) -> None:
        self._ahead: dict[Key, Ahead | None] = {}
        self.taken = 0  # finals that were ready when their chunk closed
        self.refused = 0  # computed ahead, not used (other options, or words in the silence it did not hear)

    def due(self, key: Key, silent: int) -> bool:
        """Whether to compute this chunk's final now: once per chunk and closing end, after `AFTER` samples of
        silence (`silent`: how much has been heard)."""
        return key not in self._ahead and key[3] - key[2] >= SAMPLE_RATE // 4 and silent >= AFTER

    def begin(self, key: Key) -> None:
        self._ahead[key] = None
        while len(self._ahead) > KEEP:
            self._ahead.pop(next(iter(self._ahead)))

    def done(self, key: Key, ahead: Ahead) -> None:
        self._ahead[key] = ahead

    def take(self, key: Key, path: Path, options: DecodeOptions, audio: npt.NDArray[np.float32]) -> EngineResult | None:
        """The final computed ahead for a chunk that just closed, if it was computed for this engine and these
        options and the audio it did not hear is quiet."""
        ahead = self._ahead.pop(key, None)
        if ahead is None:
            return None
        if (ahead.path, ahead.options) != (path, options) or not quiet_tail(audio, key[2], ahead.heard_to):
            self.refused += 1
            return None
        self.taken += 1
        return ahead.result
