"""Cuts a stream of 16 kHz samples into speech chunks with a frame-level VAD. Pure logic, no threads.

Feed samples with `push`, get the chunks it closed; `finish` closes the last one.
Hysteresis: a chunk opens when the speech probability reaches `threshold` and
silence is only counted below `neg_threshold`. A chunk that grows past
`max_chunk_s` is split at its quietest frame in the second half, a pause when
there is one, so no word is cut when the speaker breathes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import VadGain
from aiwisper.settings import Settings
from aiwisper.vad import FRAME

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class VadOptions:
    """Segmentation options; defaults as in the settings table."""

    threshold: float = 0.5  # speech probability that opens a chunk
    neg_threshold: float = 0.35  # below this a frame counts as silence
    min_silence_ms: int = 300  # silence that closes a chunk
    pre_roll_ms: int = 300  # audio kept before the speech start
    post_roll_ms: int = 150  # audio kept after the speech end (within the silence)
    min_speech_ms: int = 250  # shorter bursts are dropped
    max_chunk_s: float = 20.0  # longer speech is split

    @classmethod
    def from_settings(cls, s: Settings) -> VadOptions:
        return cls(
            threshold=s.number("vad.threshold"),
            neg_threshold=min(s.number("vad.neg_threshold"), s.number("vad.threshold")),
            min_silence_ms=s.whole("vad.min_silence_ms"),
            pre_roll_ms=s.whole("vad.pre_roll_ms"),
            min_speech_ms=s.whole("vad.min_speech_ms"),
            max_chunk_s=s.number("vad.max_chunk_s"),
        )


@dataclass(frozen=True)
class Chunk:
    """A stretch of speech as sample indices [start, end) on the stream's timeline."""

    start: int
    end: int

    @property
    def start_ms(self) -> int:
        return self.start * 1000 // SAMPLE_RATE

    @property
    def end_ms(self) -> int:
        return self.end * 1000 // SAMPLE_RATE


def _ms(ms: float) -> int:
    return int(ms * SAMPLE_RATE / 1000)


class Segmenter:
    """Turns samples into chunks. `vad` maps one 512-sample frame to a speech probability."""

    def __init__(self, vad: Callable[[Floats], float], options: VadOptions | None = None, offset: int = 0) -> None:
        self.vad = vad
        self.gain = VadGain()  # the VAD hears speech at a working level; chunks are of the audio as recorded
        self.opt = options or VadOptions()
        self._pending = np.zeros(0, dtype=np.float32)
        self.position = offset  # samples consumed, on the stream's timeline
        self._last_end = offset  # end of the last chunk: a new one never starts before it
        self._start: int | None = None  # start of the open chunk (with pre-roll)
        self._speech_start = 0  # first speech frame of the open chunk
        self._silence_start: int | None = None
        self._last_speech = offset  # end of the last frame above neg_threshold
        self._history: list[tuple[int, float, float]] = []  # (frame start, prob, rms) of the open chunk
        self._heard: list[tuple[Floats, float]] = []  # frames of the last push with their speech probability

    @property
    def open_start(self) -> int | None:
        """Start of the chunk being spoken now, if any (for live partial transcripts)."""
        return self._start

    @property
    def closing_end(self) -> int | None:
        """Where the open chunk ends if the silence heard since its speech stopped goes on long enough."""
        if self._start is None or self._silence_start is None:
            return None
        return self._silence_start + _ms(self.opt.post_roll_ms)

    @property
    def silence_start(self) -> int | None:
        """Where the silence heard since the open chunk's speech stopped began (None: speech goes on)."""
        return self._silence_start if self._start is not None else None

    @property
    def silence_samples(self) -> int:
        """How long no speech has been heard."""
        return self.position - self._last_speech if self._start is None else 0

    def push(self, samples: Floats) -> list[Chunk]:
        """Consume samples; return the chunks closed by them."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        n = len(data) // FRAME * FRAME
        self._pending = data[n:]
        out: list[Chunk] = []
        self._heard = []
        for i in range(0, n, FRAME):
            frame = data[i : i + FRAME]
            out.extend(self._frame(frame))
        return out

    def heard(self) -> list[tuple[Floats, float]]:
        """The frames of the last `push` with their speech probabilities (for level meters)."""
        return self._heard

    def finish(self) -> list[Chunk]:
        """Close the open chunk at the end of the stream."""
        if self._pending.size:
            self.position += self._pending.size
            self._pending = np.zeros(0, dtype=np.float32)
        if self._start is None:
            return []
        end = (
            self.position
            if self._silence_start is None
            else min(self.position, self._silence_start + _ms(self.opt.post_roll_ms))
        )
        return self._close(end)

    def _frame(self, frame: Floats) -> list[Chunk]:
        p = self.position
        prob = self.vad(self.gain(frame)) if frame.any() else 0.0  # digital silence needs no model
        self._heard.append((frame, prob))
        self.position += FRAME
        opt = self.opt
        if self._start is None:
            if prob >= opt.threshold:
                self._start = max(p - _ms(opt.pre_roll_ms), self._last_end)
                self._speech_start = p
                self._silence_start = None
                self._last_speech = p + FRAME
                self._history = [(p, prob, float(np.sqrt(np.mean(frame * frame))))]
            return []
        self._history.append((p, prob, float(np.sqrt(np.mean(frame * frame)))))
        if prob >= opt.neg_threshold:
            self._last_speech = p + FRAME
        if prob >= opt.threshold:
            self._silence_start = None
        elif prob < opt.neg_threshold and self._silence_start is None:
            self._silence_start = p
        if self._silence_start is not None and self.position - self._silence_start >= _ms(opt.min_silence_ms):
            return self._close(self._silence_start + _ms(opt.post_roll_ms))
        if self.position - self._start >= _ms(opt.max_chunk_s * 1000):
            return self._split()
        return []

    def _close(self, end: int) -> list[Chunk]:
        assert self._start is not None
        end = min(end, self.position)
        speech = (self._silence_start or self.position) - self._speech_start
        chunk = Chunk(self._start, end)
        self._start = None
        self._silence_start = None
        self._history = []
        if speech < _ms(self.opt.min_speech_ms):
            return []
        self._last_end = end
        return [chunk]

    def _split(self) -> list[Chunk]:
        """Cut the open chunk at its quietest frame in the second half and keep going."""
        assert self._start is not None
        half = self._start + _ms(self.opt.max_chunk_s * 500)
        candidates = [h for h in self._history if h[0] >= half] or self._history
        # Lowest speech probability first (a pause), then lowest energy.
        cut_frame = min(candidates, key=lambda h: (h[1] >= self.opt.neg_threshold, h[1], h[2]))[0]
        cut = cut_frame + FRAME // 2
        chunk = Chunk(self._start, cut)
        self._last_end = cut
        self._start = cut
        self._speech_start = cut
        self._history = [h for h in self._history if h[0] >= cut_frame]
        if self._silence_start is not None and self._silence_start < cut:
            self._silence_start = cut
        return [chunk]


class ChunkMerger:
    """Joins neighbouring chunks into longer ones for file transcription, where Whisper does best
    with long context: a chunk grows while it stays within `max_s` and gaps within `max_gap_s`."""

    def __init__(self, max_s: float = 28.0, max_gap_s: float = 2.0) -> None:
        self.max = _ms(max_s * 1000)
        self.max_gap = _ms(max_gap_s * 1000)
        self._open: Chunk | None = None

    def push(self, chunks: list[Chunk]) -> list[Chunk]:
        out = []
        for c in chunks:
            o = self._open
            if o is not None and c.start - o.end <= self.max_gap and c.end - o.start <= self.max:
                self._open = Chunk(o.start, c.end)
                continue
            if o is not None:
                out.append(o)
            self._open = c
        return out

    def finish(self) -> list[Chunk]:
        out, self._open = ([self._open] if self._open else []), None
        return out
