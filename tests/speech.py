"""Real speech fixtures and word error rate on normalized text."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jiwer

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("AIWISPER_TESTDATA", REPO / "tests" / "data"))
JFK_WAV = TESTDATA / "jfk.wav"
LJ_DIR = TESTDATA / "ljspeech"

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _below_100(n: int) -> str:
    if n < 20:
        return _ONES[n]
    return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])


def number_words(n: int) -> str:
    """Numbers as read aloud; four-digit numbers from 1100 to 1999 as years ("fourteen fifty five")."""
    if 1100 <= n <= 1999:
        hi, lo = divmod(n, 100)
        return _below_100(hi) + (" hundred" if lo == 0 else " " + ("oh " if lo < 10 else "") + _below_100(lo))
    if n < 100:
        return _below_100(n)
    if n < 1000:
        h, r = divmod(n, 100)
        return _ONES[h] + " hundred" + ("" if r == 0 else " " + _below_100(r))
    th, r = divmod(n, 1000)
    return number_words(th) + " thousand" + ("" if r == 0 else " " + number_words(r))


def normalize(text: str) -> str:
    """Lower case, numbers as words, hyphens as spaces, punctuation removed."""
    text = re.sub(r"\d+", lambda m: " " + number_words(int(m.group())) + " ", text.lower())
    text = re.sub(r"[-–—]", " ", text)
    text = re.sub(r"[^\w\s']", "", text).replace("'", "")
    return " ".join(text.split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    """Corpus word error rate over normalized texts."""
    return float(jiwer.wer([normalize(r) for r in references], [normalize(h) for h in hypotheses]))


@dataclass(frozen=True)
class Clip:
    id: str
    path: Path
    text: str


def lj_clips() -> list[Clip]:
    with (LJ_DIR / "metadata.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE))
    return [Clip(r[0], LJ_DIR / f"{r[0]}.wav", r[2]) for r in rows]


def jfk_text() -> str:
    return (TESTDATA / "jfk.txt").read_text(encoding="utf-8").strip()


def write_wav(path: Path, audio: object, rate: int = 16000) -> Path:
    """Float audio, mono `[n]` or `[n, channels]`, as a PCM16 WAV file."""
    import wave

    import numpy as np

    # rounded to the nearest step: truncation towards zero distorts quiet audio (as the app's own writer did)
    data = np.round(np.clip(np.asarray(audio, dtype=np.float32), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1] if data.ndim == 2 else 1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path
