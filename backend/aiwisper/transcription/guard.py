"""Hallucination guard: Whisper invents text on silence and noise. Pure functions.

Layers, in order: the VAD gates what reaches the engine at all (segmenter);
an energy floor skips chunks too quiet to hold speech; whisper.cpp drops
windows by its no-speech probability and average log-probability
(`no_speech_thold`, `logprob_thold` in DecodeOptions); here, segments are
dropped for a low average log-probability, a high compression ratio or
repetition, or for being only a non-speech annotation ("[BLANK_AUDIO]",
"(music)"). Words kept but unlikely are flagged for the UI.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import Segment
from aiwisper.settings import Settings


@dataclass(frozen=True)
class GuardOptions:
    """Thresholds; defaults as in the settings table."""

    min_rms_db: float = -55.0  # quieter chunks are not sent to the engine
    logprob_thold: float = -1.0  # segments with a lower average token log-probability are dropped
    no_speech_thold: float = 0.6  # whisper.cpp's no-speech probability threshold
    max_compression_ratio: float = 2.4  # text that compresses better than this is a loop
    low_word_p: float = 0.5  # words below this probability are flagged

    @classmethod
    def from_settings(cls, s: Settings) -> GuardOptions:
        return cls(
            min_rms_db=s["guard.min_rms_db"],
            logprob_thold=s["guard.logprob_thold"],
            no_speech_thold=s["guard.no_speech_thold"],
            max_compression_ratio=s["guard.max_compression_ratio"],
            low_word_p=s["guard.low_word_p"],
        )


_ANNOTATION = re.compile(r"^[\s\[\(\*♪♫-]*([a-z _]+)?[\]\)\*♪♫\s.-]*$", re.IGNORECASE)
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+")


def rms_db(audio: npt.NDArray[np.float32]) -> float:
    if audio.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return -120.0 if rms <= 1e-6 else 20 * float(np.log10(rms))


def too_quiet(audio: npt.NDArray[np.float32], options: GuardOptions) -> bool:
    """True when the audio is below the energy floor: no engine call."""
    return rms_db(audio) < options.min_rms_db


def compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))


def repeats(text: str, longest: int = 8) -> bool:
    """True when a run of words repeats back to back: 4 times for 1-2 words ("no no no no"), 3 for longer."""
    words = re.sub(r"[^\w\s']", "", text.lower()).split()
    for size in range(1, longest + 1):
        times = 4 if size <= 2 else 3
        for start in range(len(words) - size * times + 1):
            gram = words[start : start + size]
            if all(words[start + k * size : start + (k + 1) * size] == gram for k in range(times)):
                return True
    return False


def clean_text(text: str) -> str:
    """The text without non-speech annotations such as [BLANK_AUDIO] or (music)."""
    return " ".join(_BRACKETED.sub(" ", text).split())


def keep(segment: Segment, options: GuardOptions) -> bool:
    """Whether a segment is speech the engine heard, not text it invented."""
    text = clean_text(segment.text)
    if not text or not re.search(r"\w", text):
        return False
    if segment.avg_logprob < options.logprob_thold:
        return False
    if len(text) > 40 and compression_ratio(text) > options.max_compression_ratio:
        return False
    return not repeats(text)


def filter_segments(segments: list[Segment], options: GuardOptions) -> list[Segment]:
    out = []
    for s in segments:
        if keep(s, options):
            out.append(Segment(s.start_ms, s.end_ms, clean_text(s.text), s.avg_logprob, s.words))
    return out
