"""A stereo call recording (one party on each channel) is transcribed channel by channel; one scene heard in stereo
stays one source. Real speech: faster-whisper's test file of two people talking at once, one on each side."""

from __future__ import annotations

import json
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.files.channels import ChannelStats

from .realspeech import clip
from .speech import JFK_WAV, jfk_text, normalize, wer, write_wav
from .test_transcribe_files import DECODERS, transcribe


def _sides(reference: str) -> dict[str, str]:
    """'[left channel] … [right channel] …' → {"left": …, "right": …}."""
    parts = re.split(r"\[(left|right) channel\]", reference)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


@DECODERS
def test_two_people_talking_at_once_on_two_channels_are_both_transcribed(
    tmp_path: Path, decoder: str, report: list[str]
) -> None:
    """Averaged to mono, the right side's sentence was lost by every engine (faster-whisper too); each side on
    its own gives both, labelled Left and Right."""
    source = clip("fw_stereo_diarization.wav")
    proc = transcribe(tmp_path / "data", str(source.path), "--format", "json", decoder=decoder)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["sources"] == ["left", "right"]
    said = {side: " ".join(s["text"] for s in doc["segments"] if s["source"] == side) for side in ("left", "right")}
    assert {s["speaker"] for s in doc["segments"]} == {"Left", "Right"}
    expected = _sides(source.text)
    errors = {side: wer([expected[side]], [said[side]]) for side in ("left", "right")}
    report.append(f"stereo call ({decoder}): WER left {errors['left']:.2f}, right {errors['right']:.2f}")
    assert errors["right"] <= 0.2, said
    assert errors["left"] <= 0.5, said
    assert "horizon" in normalize(said["right"]) and "horizon" not in normalize(said["left"])


@pytest.mark.parametrize("shape", ["one scene, delayed and quieter on the right", "a dead right channel"])
def test_one_voice_in_stereo_stays_one_source_and_is_said_once(tmp_path: Path, shape: str) -> None:
    jfk = read_wav_16k(JFK_WAV)
    if shape.startswith("one scene"):
        right = 0.5 * np.concatenate([np.zeros(80, dtype=np.float32), jfk[:-80]])  # 5 ms later, 6 dB down
    else:
        right = np.zeros_like(jfk)
    path = write_wav(tmp_path / "stereo.wav", np.stack([jfk, right], axis=1))
    proc = transcribe(tmp_path / "data", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["sources"] == ["file"]
    assert normalize(" ".join(s["text"] for s in doc["segments"])) == normalize(jfk_text())


def test_the_channel_test_on_real_speech() -> None:
    """Pure logic on real audio: the two-party file, the same file as dual mono, and speech against silence."""
    wav = clip("fw_stereo_diarization.wav").path
    with wave.open(str(wav)) as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(np.float32) / 32768
    cases = {
        "two parties": (frames, True),
        "dual mono": (np.repeat(frames.mean(axis=1, keepdims=True), 2, axis=1), False),
        "left only": (np.stack([frames[:, 0], np.zeros(len(frames), dtype=np.float32)], axis=1), False),
        "silence": (np.zeros_like(frames), False),
    }
    for name, (audio, expected) in cases.items():
        stats = ChannelStats()
        stats.push(audio)
        assert stats.two_parties() is expected, (name, stats.correlation(), stats.active())


def test_the_channel_test_takes_blocks_of_any_length() -> None:
    """A file's last block can be a few samples long (it crashed the import of a stereo MP3)."""
    rng = np.random.default_rng(0)
    stats = ChannelStats()
    for size in (160_000, 37, 1, 5000):
        stats.push(rng.standard_normal((size, 2)).astype(np.float32) * 0.1)
    assert stats.correlation() < 0.05 and stats.two_parties()
