"""`aiwisper transcribe`: files of every kind become sessions and transcripts; bad ones get clear errors."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aiwisper.audio.wav_read import read_wav_16k

from .media import encode_audio, silence_flac, video_without_audio
from .recording import db_rows
from .speech import JFK_WAV, jfk_text, normalize

SRT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")
VTT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def transcribe(data_dir: Path, *args: str, decoder: str = "") -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aiwisper", "transcribe", "--data-dir", str(data_dir), *args]
    env = {**os.environ, "AIWISPER_DECODER": decoder}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=env)


# PyAV where installed; the system's GStreamer in the Linux one-file build (which leaves PyAV out).
DECODERS = pytest.mark.parametrize("decoder", ["av", "gstreamer"])


def _ms(parts: tuple[str, ...]) -> int:
    h, m, s, ms = map(int, parts)
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def parse_cues(text: str, pattern: re.Pattern[str], header: str | None) -> list[tuple[int, int, str]]:
    """A strict reader: what a player would do with the file."""
    lines = text.split("\n")
    if header is not None:
        assert lines[0] == header and lines[1] == ""
        lines = lines[2:]
    cues = []
    blocks = "\n".join(lines).strip("\n").split("\n\n")
    for n, block in enumerate(blocks, 1):
        rows = block.split("\n")
        if header is None:
            assert rows[0] == str(n), block
            rows = rows[1:]
        m = pattern.match(rows[0])
        assert m, rows[0]
        start, end = _ms(m.groups()[:4]), _ms(m.groups()[4:])
        assert 0 <= start < end, rows[0]
        assert cues == [] or start >= cues[-1][1], "cues overlap"
        assert rows[1:] and all(r.strip() for r in rows[1:]), block
        cues.append((start, end, " ".join(rows[1:])))
    return cues


def test_jfk_prints_the_reference_words(tmp_path: Path) -> None:
    out = transcribe(tmp_path, str(JFK_WAV), "--model", "tiny.en")
    assert out.returncode == 0, out.stderr
    assert normalize(out.stdout) == normalize(jfk_text())
    rows = db_rows(tmp_path, "SELECT * FROM sessions")
    assert len(rows) == 1 and rows[0]["kind"] == "import" and rows[0]["status"] == "done"
    assert rows[0]["duration_ms"] == 11000


def test_srt_vtt_json_and_md_parse_back(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    for fmt in ("srt", "vtt", "json", "md"):
        out = transcribe(tmp_path, str(JFK_WAV), "--model", "tiny.en-q8_0", "--format", fmt, "-o", str(outdir))
        assert out.returncode == 0, out.stderr
    srt = parse_cues((outdir / "jfk.srt").read_text(), SRT_TIME, None)
    vtt = parse_cues((outdir / "jfk.vtt").read_text(), VTT_TIME, "WEBVTT")
    assert [c[:2] for c in srt] == [c[:2] for c in vtt]
    assert srt[-1][1] <= 11000
    assert normalize(" ".join(c[2] for c in srt)) == normalize(jfk_text())
    doc = json.loads((outdir / "jfk.json").read_text())
    assert normalize(" ".join(s["text"] for s in doc["segments"])) == normalize(jfk_text())
    words = [w for s in doc["segments"] for w in s["words"]]
    assert len(words) >= 20 and all(0 <= w["p"] <= 1 and isinstance(w["low"], bool) for w in words)
    assert all(a["start_ms"] <= b["start_ms"] for a, b in itertools.pairwise(words))
    assert (outdir / "jfk.md").read_text().startswith("# jfk.wav\n")


@pytest.mark.parametrize(
    "name,codec,rate,channels,video",
    [
        ("jfk.mp3", "libmp3lame", 44100, 2, False),
        ("jfk.m4a", "aac", 48000, 2, False),
        ("jfk.ogg", "libopus", 48000, 1, False),
        ("jfk-8k.flac", "flac", 8000, 1, False),
        ("jfk-48k-stereo.wav", "pcm_s16le", 48000, 2, False),
        ("jfk.mp4", "aac", 44100, 2, True),
        ("jfk.webm", "libopus", 48000, 2, True),
        ("jfk.mkv", "flac", 48000, 2, True),
    ],
)
@DECODERS
def test_any_audio_or_video_file(
    tmp_path: Path, name: str, codec: str, rate: int, channels: int, video: bool, decoder: str
) -> None:
    path = encode_audio(read_wav_16k(JFK_WAV), tmp_path / name, codec, rate, channels, video)
    out = transcribe(tmp_path / "data", str(path), "--model", "tiny.en-q8_0", decoder=decoder)
    assert out.returncode == 0, out.stderr
    words = normalize(out.stdout).split()
    reference = normalize(jfk_text()).split()
    assert len(set(words) & set(reference)) >= len(set(reference)) - 2, out.stdout


@DECODERS
def test_stereo_is_as_loud_as_its_channels(tmp_path: Path, decoder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both channels carry the speech: the mono mix must keep its level (a plain sum would be 1.41x, clipping)."""
    monkeypatch.setenv("AIWISPER_DECODER", decoder)
    from aiwisper.files.decode import decode_16k

    source = read_wav_16k(JFK_WAV)
    for name, codec in (("stereo.wav", "pcm_s16le"), ("stereo.m4a", "aac"), ("stereo.webm", "libopus")):
        path = encode_audio(source, tmp_path / name, codec, 48000, 2, False)
        mixed = np.concatenate(list(decode_16k(path)))
        ratio = float(np.sqrt(np.mean(mixed**2)) / np.sqrt(np.mean(source**2)))
        assert 0.95 < ratio < 1.05, (name, ratio)


def _no_session_left(data_dir: Path) -> None:
    assert db_rows(data_dir, "SELECT * FROM sessions") == []
    sessions = data_dir / "sessions"
    assert not sessions.exists() or list(sessions.iterdir()) == []


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda d: _write(d / "song.mp3", np.random.default_rng(3).bytes(50_000)),
         "is not an audio or video file AIWisper can read"),
        (lambda d: _write(d / "empty.wav", b""), "empty.wav is empty"),
        (lambda d: _zero_length_wav(d / "zero.wav"), "zero.wav contains no audio"),
        (lambda d: video_without_audio(d / "silent-film.mp4"), "silent-film.mp4 has no audio track"),
        (lambda d: d / "missing.wav", "missing.wav: no such file"),
    ],
)  # fmt: skip
@DECODERS
def test_bad_files_get_one_line_and_leave_nothing(tmp_path: Path, make: object, message: str, decoder: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    out = transcribe(tmp_path / "data", str(path), "--model", "tiny.en-q8_0", decoder=decoder)
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if line.startswith("aiwisper: error")]
    assert len(errors) == 1 and message in errors[0], out.stderr
    _no_session_left(tmp_path / "data")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zero_length_wav(path: Path) -> Path:
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    return path


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "large-v9"], "no model named 'large-v9'"),
        (["--language", "xx"], "unknown language code 'xx'"),
        (["--model", "tiny.en", "--language", "de"], "English-only"),
    ],
)
def test_unknown_model_or_language(tmp_path: Path, args: list[str], message: str) -> None:
    out = transcribe(tmp_path / "data", str(JFK_WAV), *args)
    assert out.returncode != 0
    errors = [line for line in out.stderr.splitlines() if line.startswith("aiwisper: error")]
    assert len(errors) == 1 and message in errors[0], out.stderr
    assert not (tmp_path / "data" / "sessions").exists() or not any((tmp_path / "data" / "sessions").iterdir())


def test_three_hour_file(tmp_path: Path) -> None:
    """Three hours of silence: decoded with flat memory into a session with no speech and no text."""
    path = silence_flac(tmp_path / "long.flac", 3 * 3600)
    out = transcribe(tmp_path / "data", str(path), "--model", "tiny.en-q8_0", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["duration_ms"] == 3 * 3600 * 1000 and doc["segments"] == []
    wav = next((tmp_path / "data" / "sessions").glob("*/audio.wav"))
    assert wav.stat().st_size == 44 + 3 * 3600 * 16000 * 3  # 24-bit
