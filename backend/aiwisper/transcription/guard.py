"""Hallucination guard: Whisper invents text on silence and noise. Pure functions.

Layers, in order: the VAD gates what reaches the engine at all (segmenter), at
any level (the engine gets every piece normalized, `audio.level`); only digital
silence is skipped without an engine call. whisper.cpp drops windows that are
both likely silent and unlikely text (`no_speech_thold` and `logprob_thold` in
DecodeOptions). Here: a segment that is only a non-speech annotation
("[BLANK_AUDIO]", "(music)") is dropped; a repetition loop is cut back to the
words before it (the segment is kept); words the engine was unsure of, or all
words of a segment with a low average log-probability, are marked uncertain
for the UI rather than deleted: the VAD heard speech there.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace

from aiwisper.asr.types import Segment, Word
from aiwisper.settings import Settings


@dataclass(frozen=True)
class GuardOptions:
    """Thresholds; defaults as in the settings table."""

    logprob_thold: float = -1.0  # segments with a lower average token log-probability are marked uncertain
    no_speech_thold: float = 0.6  # whisper.cpp's no-speech probability threshold
    max_compression_ratio: float = 2.4  # text that compresses better than this, once loops are cut, is a loop
    low_word_p: float = 0.5  # words below this probability are flagged

    @classmethod
    def from_settings(cls, s: Settings) -> GuardOptions:
        return cls(
            logprob_thold=s.number("guard.logprob_thold"),
            no_speech_thold=s.number("guard.no_speech_thold"),
            max_compression_ratio=s.number("guard.max_compression_ratio"),
            low_word_p=s.number("guard.low_word_p"),
        )


@dataclass(frozen=True)
class Guarded:
    """A segment as kept, or the reason it was not."""

    segment: Segment | None
    uncertain: bool = False  # every word is marked uncertain (low average log-probability)
    trimmed: bool = False  # a repetition loop was cut off
    reason: str | None = None  # why nothing was kept


_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+")


def compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def loop_start(words: list[str], longest: int = 8) -> int | None:
    """Index where a repetition loop begins, or None.

    A loop is a run of 1–8 words repeated back to back up to the end of the text (Whisper's loops run until
    its token limit), 4 times for runs of 1–2 words and 3 for longer ones, or anywhere when repeated twice
    that often. A genuine "yeah, yeah, yeah, yeah" followed by more speech is not a loop."""
    keys = [_key(w) for w in words]
    n = len(keys)
    for start in range(n):
        for size in range(1, longest + 1):
            gram = keys[start : start + size]
            if len(gram) < size or not any(gram):
                break
            times = 1
            while keys[start + times * size : start + (times + 1) * size] == gram:
                times += 1
            needed = 4 if size <= 2 else 3
            reaches_end = start + times * size >= n - 1
            if (times >= needed and reaches_end) or times >= 2 * needed:
                return start + size  # keep one occurrence
    return None


def repeats(text: str) -> bool:
    """True when the text ends in (or contains a long) repetition loop."""
    return loop_start(text.split()) is not None


def clean_text(text: str) -> str:
    """The text without non-speech annotations such as [BLANK_AUDIO] or (music)."""
    return " ".join(_BRACKETED.sub(" ", text).split())


def _clean_words(words: list[Word]) -> list[Word]:
    out = []
    for w in words:
        text = clean_text(w.text)
        if text and re.search(r"\w", text):
            out.append(replace(w, text=text))
    return out


def guard(segment: Segment, options: GuardOptions) -> Guarded:
    """What of `segment` is speech the engine heard, not text it invented."""
    text = clean_text(segment.text)
    if not text or not re.search(r"\w", text):
        return Guarded(None, reason="no words, only a non-speech annotation" if segment.text.strip() else None)
    words = _clean_words(segment.words) if segment.words else []
    trimmed = False
    cut = loop_start([w.text for w in words] if words else text.split())
    if cut is not None:
        trimmed = True
        if words:
            words = words[:cut]
            text = " ".join(w.text for w in words)
        else:
            text = " ".join(text.split()[:cut])
    if len(text) > 40 and compression_ratio(text) > options.max_compression_ratio:
        return Guarded(None, reason="a repetition loop, not speech")
    end_ms = max(segment.start_ms, words[-1].end_ms) if trimmed and words else segment.end_ms
    kept = Segment(segment.start_ms, end_ms, text, segment.avg_logprob, words)
    return Guarded(kept, uncertain=segment.avg_logprob < options.logprob_thold, trimmed=trimmed)


def filter_segments(segments: list[Segment], options: GuardOptions) -> list[Segment]:
    """The segments as kept, in order (uncertainty is not shown here: see `guard`)."""
    return [g.segment for g in (guard(s, options) for s in segments) if g.segment is not None]
