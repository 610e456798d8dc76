"""Pure logic: the WAV writer and its repair, the mixer, settings and events."""

from __future__ import annotations

import dataclasses
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from aiwisper import events
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.mixer import Mixer
from aiwisper.audio.pcm import bytes_to_float, float_to_steps, full_scale, steps_to_bytes
from aiwisper.audio.wav_writer import WavWriter, repair_wav
from aiwisper.errors import InvalidArgumentError
from aiwisper.sessions.audio import read_range
from aiwisper.settings import SETTINGS, Settings, validate

from .recording import read_wav
from .speech import write_wav


def test_header_is_rewritten_while_writing(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    w = WavWriter(path, channels=2, flush_interval=0.0)
    w.write_float(np.full((1600, 2), 0.25, dtype=np.float32))
    w.write_float(np.full((800, 2), -0.5, dtype=np.float32))
    # Not closed: another process reads it as it is on disk now.
    with wave.open(str(path), "rb") as r:
        assert (r.getnchannels(), r.getframerate(), r.getnframes(), r.getsampwidth()) == (2, 16000, 2400, 3)
    data, _ = read_wav(path)
    assert np.all(data[:1600] == 0.25) and np.all(data[1600:] == -0.5)
    w.close()
    w.close()


def test_repair_fixes_a_stale_header_and_cuts_a_partial_frame(tmp_path: Path) -> None:
    path = tmp_path / "b.wav"
    w = WavWriter(path, channels=2, flush_interval=3600)
    ramp = (np.arange(2000, dtype=np.float32) / 8388608).reshape(1000, 2)  # 24-bit steps 0..1999
    w.write_float(ramp)
    w.flush()
    w.write_float(np.full((500, 2), 0.5, dtype=np.float32))  # after the last header rewrite
    with path.open("ab") as f:
        f.write(b"\x01\x02\x03\x04\x05")  # most of a frame, as a crash mid-write leaves
    with wave.open(str(path), "rb") as r:
        assert r.getnframes() == 1000
    assert repair_wav(path) == (1500, 2)
    data, _ = read_wav(path)
    assert data.shape == (1500, 2) and np.array_equal(data[:1000], ramp) and np.all(data[1000:] == 0.5)


def test_repair_refuses_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "c.wav"
    path.write_bytes(b"not a wav at all" * 10)
    with pytest.raises(ValueError, match="not a WAV file"):
        repair_wav(path)


def test_a_16_bit_session_of_an_earlier_version_is_read_and_repaired(tmp_path: Path) -> None:
    """Sessions were PCM16 before 24-bit: their audio is still read, and still repaired after a crash."""
    audio = np.stack([np.linspace(-0.5, 0.5, 4000), np.linspace(0.5, -0.5, 4000)], axis=1).astype(np.float32)
    path = write_wav(tmp_path / "old.wav", audio)
    assert np.allclose(read_range(path, 1, 100, 3000), audio[100:3000, 1], atol=1 / 32767)
    with path.open("ab") as f:
        f.write(b"\x01")
    assert repair_wav(path) == (4000, 2)
    assert np.allclose(read_range(path, 0, 0, 10**9), audio[:, 0], atol=1 / 32767)


def test_pcm_conversion_clips_and_reads_back() -> None:
    x = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], dtype=np.float32)
    assert float_to_steps(x, 2).tolist() == [-32768, -32768, 0, 16384, 32767, 32767]
    assert float_to_steps(x, 2, np.random.default_rng(1)).tolist() == [-32768, -32768, 0, 16384, 32767, 32767]
    assert float_to_steps(x, 3).tolist() == [-8388608, -8388608, 0, 4194304, 8388607, 8388607]
    steps = np.array([-0.4, 0.4, 0.6, -0.6, 2.49], dtype=np.float32) / 32768
    assert float_to_steps(steps, 2).tolist() == [0, 0, 1, -1, 2]  # nearest, not towards zero
    for width in (1, 2, 3, 4):
        s = float_to_steps(x, width)
        back = bytes_to_float(steps_to_bytes(s, width), width)
        assert np.array_equal(back, (s / full_scale(width)).astype(np.float32)), width
    with pytest.raises(ValueError, match="40-bit"):
        bytes_to_float(b"\0" * 10, 5)


def _explained_by(error: np.ndarray, signal: np.ndarray) -> float:
    """The share of the error's variance that the signal's value predicts (mean error per value bin)."""
    bins = np.digitize(signal, np.linspace(signal.min(), signal.max(), 400))
    means = np.bincount(bins, weights=error) / np.maximum(np.bincount(bins), 1)
    return float(np.var(means[bins]) / np.var(error))


def test_quiet_audio_is_stored_at_24_bits_with_dither_and_16_bit_audio_exactly(tmp_path: Path) -> None:
    """Speech-level sine at -66 dBFS: stored within a 24-bit step (at 16 bits it is ~16 steps high, and the
    rounding changed whisper's words); the rounding error is dither noise, not a copy of the signal."""
    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    quiet = (10 ** (-66 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 217.3 * t)).astype(np.float32)
    w = WavWriter(tmp_path / "q.wav", channels=1)
    for block in np.array_split(quiet, 40):
        w.write_float(block)
    w.close()
    stored, _ = read_wav(tmp_path / "q.wav")
    error = stored[:, 0].astype(np.float64) - quiet
    assert np.sqrt(np.mean(error**2)) < 1.2 / 8388608  # TPDF: ~0.7 steps RMS, of 24-bit steps
    dithered = float_to_steps(quiet, 2, np.random.default_rng(0)) / 32768 - quiet
    plain = float_to_steps(quiet, 2) / 32768 - quiet
    # Rounding alone leaves an error that is a function of the waveform (distortion); dither's does not follow it.
    assert _explained_by(dithered, quiet) < 0.05 and _explained_by(plain, quiet) > 0.5
    on_grid = np.round(quiet * 32768).astype(np.float32) / 32768  # e.g. a 16-bit source: kept bit for bit
    w = WavWriter(tmp_path / "g.wav", channels=1)
    w.write_float(on_grid)
    w.close()
    assert np.array_equal(read_wav(tmp_path / "g.wav")[0][:, 0], on_grid)
    w = WavWriter(tmp_path / "two.wav", channels=2)  # a silent channel stays silent beside a quiet one
    w.write_float(np.stack([np.zeros_like(quiet), quiet], axis=1))
    w.close()
    assert not read_wav(tmp_path / "two.wav")[0][:, 0].any()


def test_mixer_aligns_a_late_source_by_arrival() -> None:
    m = Mixer(["mic", "system"])
    m.push(0, np.ones(8000, dtype=np.float32))  # mic runs half a second alone
    assert m.pull().shape == (0, 2)
    m.push(1, np.full(320, 0.5, dtype=np.float32))  # system's first block arrives now: it ends now
    m.push(0, np.ones(320, dtype=np.float32))
    m.push(1, np.full(320, 0.25, dtype=np.float32))
    out = m.pull()
    assert out.shape == (8320, 2)
    assert np.all(out[:7680, 1] == 0) and np.all(out[7680:8000, 1] == 0.5) and np.all(out[8000:, 1] == 0.25)
    assert m.padded == [0, 7680]


def test_mixer_pads_a_source_that_falls_behind_and_drains() -> None:
    m = Mixer(["mic", "system"], max_lag_s=1.0)
    m.push(1, np.ones(160, dtype=np.float32))
    m.push(0, np.ones(160, dtype=np.float32))
    m.push(0, np.ones(16000 * 2, dtype=np.float32))  # system stalls for 2 s
    out = m.pull()
    assert out.shape[0] >= 16000  # the mic is not held back for more than the allowed lag
    rest = m.drain()
    assert out.shape[0] + rest.shape[0] == 160 + 32000


def test_mixer_levels_in_dbfs() -> None:
    m = Mixer(["mic"])
    m.push(0, np.full(1600, 0.5, dtype=np.float32))
    m.pull()
    lv = m.levels()["mic"]
    assert lv.peak_db == pytest.approx(-6.02, abs=0.01) and lv.rms_db == pytest.approx(-6.02, abs=0.01)
    assert m.levels()["mic"].peak_db == -120.0  # reset after reading


def test_every_setting_is_documented_and_validated() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert s.help.endswith(".") and len(s.help) > 15, s.name
        assert validate(s.name, s.default) == s.default
    with pytest.raises(InvalidArgumentError, match="must be between 50 and 5000"):
        validate("vad.min_silence_ms", 10)
    with pytest.raises(InvalidArgumentError, match="unknown setting"):
        validate("vad.nope", 1)
    with pytest.raises(InvalidArgumentError, match="true or false"):
        validate("transcription.translate", "yes")


def test_settings_file_round_trip_and_bad_values_ignored(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = Settings.load(path)
    s.set("vad.min_silence_ms", 500)
    assert Settings.load(path).whole("vad.min_silence_ms") == 500
    path.write_text('{"vad.min_silence_ms": -4, "vad.threshold": 0.6, "junk": 1}')
    s2 = Settings.load(path)
    assert s2.whole("vad.min_silence_ms") == 300 and s2.number("vad.threshold") == 0.6
    path.write_text("{corrupt")
    assert Settings.load(path).number("vad.threshold") == 0.5


def test_every_event_is_a_documented_dataclass_with_a_unique_type() -> None:
    kinds = [c for c in vars(events).values() if isinstance(c, type) and issubclass(c, events.Event)]
    kinds.remove(events.Event)
    types = [k.type for k in kinds]
    assert len(types) == len(set(types)) >= 7
    for k in kinds:
        assert dataclasses.is_dataclass(k) and k.__doc__, k
    e = events.ChunkCreated("s", 3, 0, 1000, "mic")
    assert e.to_dict() == {"type": "chunk_created", "session_id": "s", "chunk_id": 3, "start_ms": 0,
                           "end_ms": 1000, "source": "mic"}  # fmt: skip
    assert struct.calcsize("<h") == 2
