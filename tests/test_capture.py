"""Recording real audio through PulseAudio: what was played is what lies in the session's WAV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aiwisper.audio.wav_read import read_wav_16k

from .pulse import load_sink, play, pulse, unload_module  # noqa: F401 - fixture
from .recording import correlation, db_rows, read_wav, start_record
from .speech import JFK_WAV

SR = 16000


@pytest.mark.usefixtures("pulse")
def test_mic_and_system_recorded_on_their_own_channels(tmp_path: Path) -> None:
    """System audio plays JFK, then the mic does: two channels, each correlating with the source,
    chunks labelled by source, and a warning once system audio has been silent for 10 s."""
    rec = start_record(
        tmp_path, "--seconds", "26", "--no-transcribe",
        "--device", "pulse:mic_sink.monitor", "--system-device", "pulse:sys_sink.monitor",
    )  # fmt: skip
    play("sys_sink", JFK_WAV).wait(30)
    play("mic_sink", JFK_WAV).wait(30)
    assert rec.wait() == 0, "".join(rec.lines)
    assert rec.wav is not None
    audio, rate = read_wav(rec.wav)
    assert rate == SR and audio.shape[1] == 2 and audio.shape[0] >= 25 * SR

    jfk = read_wav_16k(JFK_WAV)
    r_sys, lag_sys = correlation(jfk, audio[:, 1])
    r_mic, lag_mic = correlation(jfk, audio[:, 0])
    assert r_sys > 0.95 and r_mic > 0.95, (r_sys, r_mic)
    assert lag_mic > lag_sys + 10 * SR  # the mic played after the system
    # Each channel holds only its own source.
    assert np.abs(audio[lag_sys : lag_sys + len(jfk), 0]).max() == 0

    session = db_rows(tmp_path, "SELECT * FROM sessions")[0]
    assert session["status"] == "done" and session["sources"] == '["mic", "system"]'
    assert abs(session["duration_ms"] - audio.shape[0] * 1000 // SR) <= 1
    chunks = db_rows(tmp_path, "SELECT * FROM chunks ORDER BY start_sample")
    for source, lag in (("system", lag_sys), ("mic", lag_mic)):
        mine = [c for c in chunks if c["source"] == source]
        assert mine, source
        # Chunks cover the speech (0.3 s to 10.6 s into the clip) and stay near it.
        inside = sum(min(c["end_sample"], lag + 10.6 * SR) - max(c["start_sample"], lag + 0.3 * SR) for c in mine)
        assert inside > 0.75 * 10.3 * SR, source
        assert all(lag - SR <= c["start_sample"] and c["end_sample"] <= lag + 12 * SR for c in mine), source
    assert all(c["status"] == "held" for c in chunks)  # record only: nothing queued
    assert [e["code"] for e in rec.of_type("warning")] == ["system_silent"]
    assert rec.of_type("session_stopped")[0]["reason"] == "limit"
    levels = db_rows(tmp_path, "SELECT COUNT(*) AS n FROM chunks")[0]["n"]
    assert levels == len(chunks)


@pytest.mark.usefixtures("pulse")
def test_device_that_disappears_ends_the_session_with_its_audio_kept(tmp_path: Path) -> None:
    module = load_sink("usb_headset")
    rec = start_record(tmp_path, "--seconds", "60", "--device", "pulse:usb_headset.monitor")
    player = play("usb_headset", JFK_WAV)
    rec.started.wait(5)
    import time

    time.sleep(4)
    player.kill()
    unload_module(module)
    assert rec.wait(30) == 0
    errors = rec.of_type("error")
    assert errors and "usb_headset" in errors[0]["message"], rec.lines
    assert rec.of_type("session_stopped")[0]["reason"] == "error"
    assert rec.wav is not None
    audio, _ = read_wav(rec.wav)
    assert audio.shape[0] > 2 * SR
    session = db_rows(tmp_path, "SELECT * FROM sessions")[0]
    assert session["status"] == "done" and "usb_headset" in session["error"]
