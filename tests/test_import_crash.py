"""`kill -9` during an import: at the next start the import finishes, or is marked failed with the reason."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import store

from .pipeline import app
from .recording import db_rows
from .speech import JFK_WAV, jfk_text, wer, write_wav

SR = 16000


def _long_speech(path: Path, minutes: int = 12) -> Path:
    """JFK with pauses, over and over: long enough that decoding and cutting it take seconds."""
    jfk = read_wav_16k(JFK_WAV)
    one = np.concatenate([jfk, np.zeros(SR, dtype=np.float32)])
    return write_wav(path, np.tile(one, minutes * 60 * SR // len(one) + 1))


def _kill_during_import(tmp_path: Path, wav: Path) -> Path:
    """`aiwisper transcribe` killed with SIGKILL while the file is being imported; returns the data folder."""
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiwisper", "transcribe", str(wav), "--model", "tiny.en-q8_0", "--data-dir", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                rows = db_rows(data, "SELECT status FROM sessions")
            except sqlite3.Error:  # not created yet
                rows = []
            if rows and rows[0]["status"] == "importing":
                break
            time.sleep(0.02)
        else:
            pytest.fail("the import never started")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert db_rows(data, "SELECT status FROM sessions")[0]["status"] == "importing"
    assert db_rows(data, "SELECT state FROM jobs")[0]["state"] == "running"
    return data


def test_import_killed_midway_finishes_at_the_next_start(tmp_path: Path, registry: ModelRegistry) -> None:
    wav = _long_speech(tmp_path / "meeting.wav", minutes=3)
    data = _kill_during_import(tmp_path, wav)
    with app(data, registry) as (svc, _):
        assert svc.transcriber is not None
        svc.recover()  # what the app does at start-up
        assert svc.transcriber.wait_idle(600)
        jobs = svc.transcriber.jobs()
        sessions = svc.db.read(lambda c: store.list_sessions(c))
        assert [j.state for j in jobs] == ["done"] and len(sessions) == 1
        assert sessions[0].status == "done" and sessions[0].id == jobs[0].session_id
        text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, sessions[0].id)))
    assert abs(sessions[0].duration_ms - 3 * 60_000) < 15_000
    assert wer([" ".join([jfk_text()] * round(text.count("country") / 2))], [text]) <= 0.1, text[:300]
    assert len(list((data / "sessions").iterdir())) == 1  # the half-imported session's folder is gone
    listed = subprocess.run([sys.executable, "-m", "aiwisper", "sessions", "--data-dir", str(data)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "importing" not in listed.stdout and " done " in listed.stdout and "meeting.wav" in listed.stdout


def test_import_killed_midway_whose_file_is_gone_is_marked_failed(tmp_path: Path, registry: ModelRegistry) -> None:
    wav = _long_speech(tmp_path / "call.wav", minutes=3)
    data = _kill_during_import(tmp_path, wav)
    wav.unlink()
    with app(data, registry) as (svc, _):
        assert svc.transcriber is not None
        svc.recover()
        assert svc.transcriber.wait_idle(60)
        jobs = svc.transcriber.jobs()
        sessions = svc.db.read(lambda c: store.list_sessions(c))
    assert [j.state for j in jobs] == ["failed"]
    assert "no longer there" in (jobs[0].error or "")
    assert [s.status for s in sessions] == ["failed"] and "no longer there" in (sessions[0].error or "")
    listed = subprocess.run([sys.executable, "-m", "aiwisper", "sessions", "--data-dir", str(data)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "failed" in listed.stdout and "importing" not in listed.stdout
