"""What an engine is asked and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Word:
    """A word with its times in the engine's audio and its probability (mean of its tokens)."""

    text: str
    start_ms: int
    end_ms: int
    p: float


@dataclass(frozen=True)
class Segment:
    """A stretch of recognized text with its times in the audio given to the engine."""

    start_ms: int
    end_ms: int
    text: str
    avg_logprob: float = 0.0
    words: list[Word] = field(default_factory=list)


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode one piece of audio."""

    language: str | None = "en"  # None: detect
    translate: bool = False
    prompt: str = ""  # previous text, for continuity
    audio_ctx: int = 0  # encoder frames (50 per second); 0 is the full 30 s window
    no_speech_thold: float = 0.6
    logprob_thold: float = -1.0
    temperature_inc: float = 0.2  # 0: no fallback decoding at higher temperatures
    max_tokens: int = 0  # per segment; 0: no limit
    beam_size: int = 1  # 1: greedy; the first decoding's beam (CTranslate2; whisper.cpp decodes greedily)


@dataclass(frozen=True)
class EngineResult:
    """Segments and the language they are in."""

    segments: list[Segment]
    language: str


class Engine:
    """What both engines share: `run` decodes with options; `transcribe` is its short form."""

    def run(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> EngineResult:
        raise NotImplementedError

    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions | str | None = None) -> list[Segment]:
        """Segments of `audio`; a plain language code (or None to detect) may stand for the options."""
        if not isinstance(options, DecodeOptions):
            options = DecodeOptions(language=options)
        return self.run(audio, options).segments
