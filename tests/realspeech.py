"""The real-speech dev clips (tests/data/realspeech-dev): references, levels, and conversations made of them."""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.files.decode import decode_16k

from .speech import TESTDATA

DEV = TESTDATA / "realspeech-dev"
AMI = TESTDATA / "ami"  # 30 s excerpts of AMI meetings with their speaker turns (from pyannote-audio's tests)
SR = 16000
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DevClip:
    file: str
    language: str
    text: str
    speakers: int

    @property
    def path(self) -> Path:
        return DEV / self.file

    @property
    def group(self) -> str:
        """fleurs-quiet / fleurs-<lang>, ljspeech, librivox, cmu-arctic, multi-speaker."""
        if self.file.startswith("fleurs_"):
            return "fleurs-quiet" if rms_db(load(self.path)) < -55 else f"fleurs-{self.language}"
        for prefix, name in (("ljspeech", "ljspeech"), ("pocketsphinx", "librivox"), ("cmu_arctic", "cmu-arctic")):
            if self.file.startswith(prefix):
                return name
        return "multi-speaker"


def dev_clips() -> list[DevClip]:
    with (DEV / "references.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [DevClip(r["file"], r["language"], r["reference_text"], int(r["speakers"])) for r in rows]


def clip(name: str) -> DevClip:
    return next(c for c in dev_clips() if c.file == name)


def load(path: Path) -> Floats:
    """Any clip as float32 mono 16 kHz (Opus and 22 kHz WAV included)."""
    if path.suffix == ".wav":
        return read_wav_16k(path)
    return np.concatenate(list(decode_16k(path))).astype(np.float32)


def rms_db(audio: Floats) -> float:
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return -120.0 if rms <= 1e-9 else 20 * float(np.log10(rms))


def at_level(audio: Floats, target_db: float) -> Floats:
    """`audio` scaled to an RMS of `target_db` dBFS."""
    return (audio * 10 ** ((target_db - rms_db(audio)) / 20)).astype(np.float32)


def spoken(text: str, voice: str = "en-us") -> Floats:
    """Synthetic speech from espeak-ng (back-channels between real clips)."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed: run make setup")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text], check=True, timeout=30)
        return at_level(read_wav_16k(out), -26.0)


def conversation() -> tuple[Floats, str]:
    """Four real voices (LJ Speech, LibriVox, CMU ARCTIC, FLEURS) taking turns with short pauses, and
    back-channels ("yeah, yeah, yeah, yeah", "right, right") between them: the audio and the words said."""
    turns: list[tuple[Floats, str]] = []
    back = ["yeah, yeah, yeah, yeah", "right, right", "okay", "yeah, yeah, yeah, yeah, sure"]
    real = ["ljspeech_LJ001-0009.wav", "pocketsphinx_sense_and_sensibility_01_austen_64kb-0870.wav",
            "cmu_arctic_aew_a0003.wav", "fleurs_en_000.ogg", "ljspeech_LJ001-0011.wav",
            "pocketsphinx_sense_and_sensibility_01_austen_64kb-0890.wav"]  # fmt: skip
    for i, name in enumerate(real):
        c = clip(name)
        turns.append((at_level(load(c.path), -24.0), c.text))
        if i < len(back):
            turns.append((spoken(back[i]), back[i]))
    rng = np.random.default_rng(7)
    parts, words = [np.zeros(SR // 2, dtype=np.float32)], []
    for audio, text in turns:
        parts += [audio, np.zeros(int(rng.uniform(0.3, 0.9) * SR), dtype=np.float32)]
        words.append(text)
    return np.concatenate(parts), " ".join(words)


MEETING_VOICES = {  # four different real speakers; FLEURS has a new speaker in every clip, so one clip of it
    "lj": ["ljspeech_LJ001-0009.wav", "ljspeech_LJ001-0012.wav"],
    "austen": ["pocketsphinx_sense_and_sensibility_01_austen_64kb-0870.wav",
               "pocketsphinx_sense_and_sensibility_01_austen_64kb-0890.wav"],
    "aew": ["cmu_arctic_aew_a0001.wav", "cmu_arctic_aew_a0002.wav"],
    "fleurs": ["fleurs_en_000.ogg"],
}  # fmt: skip


def speech_spans(audio: Floats, gap_s: float = 0.3) -> list[tuple[int, int]]:
    """Sample ranges where a read clip speaks (30 ms frames within 20 dB of its loud frames, and above −45 dBFS),
    split at pauses of `gap_s` or more."""
    frame = SR * 30 // 1000
    n = len(audio) // frame
    rms = np.sqrt(np.mean(np.square(audio[: n * frame].reshape(n, frame)), axis=1))
    loud = rms > max(10 ** (-45 / 20), float(np.percentile(rms, 90)) * 10 ** (-20 / 20))
    spans: list[tuple[int, int]] = []
    for i in np.flatnonzero(loud):
        start, end = i * frame, (i + 1) * frame
        if spans and start - spans[-1][1] < gap_s * SR:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def meeting() -> tuple[Floats, list[tuple[int, int, str]]]:
    """Four real voices (LJ Speech, CMU ARCTIC, LibriVox, FLEURS) taking turns, three of them twice, with pauses
    of 0.3 to 0.9 s: the audio and the reference turns (start ms, end ms, speaker), split at pauses ≥ 0.3 s."""
    order = [("lj", 0), ("aew", 0), ("austen", 0), ("fleurs", 0), ("aew", 1), ("lj", 1), ("austen", 1)]
    rng = np.random.default_rng(11)
    parts, turns, at = [np.zeros(SR // 2, dtype=np.float32)], [], SR // 2
    for voice, i in order:
        audio = at_level(load(clip(MEETING_VOICES[voice][i]).path), -24.0)
        spans = speech_spans(audio)
        audio = audio[spans[0][0] : spans[-1][1]]  # without the clip's own leading and trailing silence
        turns += [((at + s - spans[0][0]) * 1000 // SR, (at + e - spans[0][0]) * 1000 // SR, voice) for s, e in spans]
        pause = np.zeros(int(rng.uniform(0.3, 0.9) * SR), dtype=np.float32)
        parts += [audio, pause]
        at += len(audio) + len(pause)
    return np.concatenate(parts), turns


def ami_excerpts() -> dict[str, list[tuple[int, int, str]]]:
    """Each AMI excerpt's reference turns (ms), by file name."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for line in (AMI / "ami.rttm").read_text().splitlines():
        f = line.split()
        start = round(float(f[3]) * 1000)
        out.setdefault(f[1], []).append((start, start + round(float(f[4]) * 1000), f[7]))
    return dict(sorted(out.items()))


AMI_MEETINGS = {  # excerpts of one meeting share its people: joined, they make a longer meeting
    "dev": ["dev00", "dev01"], "trn0": ["trn00", "trn01", "trn02", "trn03"], "trn6": ["trn06", "trn09"],
    "trn7": ["trn07", "trn08"], "tst": ["tst00", "tst01"],
}  # fmt: skip


def ami_meetings() -> dict[str, tuple[Floats, list[tuple[int, int, str]]]]:
    """Each AMI meeting's excerpts joined (1-2 minutes, 2-5 people) with their reference turns."""
    turns = ami_excerpts()
    out = {}
    for name, parts in AMI_MEETINGS.items():
        audio, ref, at = [], [], 0
        for part in parts:
            a = load(AMI / f"{part}.wav")
            ref += [(s + at, e + at, who) for s, e, who in turns[part]]
            audio.append(a)
            at += len(a) * 1000 // SR
        out[name] = (np.concatenate(audio), ref)
    return out
