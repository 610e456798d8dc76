"""`kill -9` during a recording loses at most the last second; the next start repairs the session."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.storage.db import DB_FILE, connect

from .pulse import play, pulse  # noqa: F401 - fixture
from .recording import correlation, db_rows, read_wav, start_record
from .speech import JFK_WAV

SR = 16000


@pytest.fixture
def speech_playing() -> object:
    """JFK played into the system sink over and over while the test runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            player = play("sys_sink", JFK_WAV)
            while player.poll() is None:
                if stop.wait(0.1):
                    player.kill()
            player.wait()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield
    stop.set()
    t.join(15)


@pytest.mark.usefixtures("pulse", "speech_playing")
def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    seed = int(os.environ.get("AIWISPER_TEST_SEED", time.time()))
    rng = random.Random(seed)
    jfk = read_wav_16k(JFK_WAV)
    for attempt in range(3):
        rec = start_record(tmp_path, "--device", "pulse:sys_sink.monitor", "--seconds", "300")
        assert rec.wav is not None
        time.sleep(rng.uniform(1.0, 9.0))
        frames_at_kill = (rec.wav.stat().st_size - 44) // 3  # 24-bit mono
        os.kill(rec.proc.pid, signal.SIGKILL)
        rec.wait(10)
        context = f"seed {seed}, attempt {attempt}, {frames_at_kill / SR:.2f} s recorded at the kill"

        # Before any repair: the header already describes all but the last second.
        audio, _ = read_wav(rec.wav)
        assert audio.shape[0] >= frames_at_kill - SR, context

        # Restart: the session is repaired and listed as recovered.
        out = subprocess.run(
            [sys.executable, "-m", "aiwisper", "sessions", "--data-dir", str(tmp_path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        sid = rec.wav.parent.name
        assert f"{sid}  recovered" in out.stdout, out.stdout
        audio, _ = read_wav(rec.wav)
        assert audio.shape[0] >= frames_at_kill, context
        assert audio.shape[0] == (rec.wav.stat().st_size - 44) // 3  # 24-bit mono
        row = db_rows(tmp_path, "SELECT * FROM sessions WHERE id = ?", sid)[0]
        assert row["status"] == "recovered" and row["duration_ms"] == audio.shape[0] * 1000 // SR
        conn = connect(tmp_path / DB_FILE)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        # What was captured is the speech that played, and it was cut into pending chunks.
        if audio.shape[0] > 5 * SR:
            chunks = db_rows(tmp_path, "SELECT * FROM chunks WHERE session_id = ?", sid)
            # Each chunk was either transcribed before the kill or is back in the queue.
            assert chunks and all(c["status"] in ("done", "pending") for c in chunks), context
            # Windows of the recording are found in the clip (one may straddle the gap between replays).
            windows = [audio[int(t * SR) : int((t + 1.2) * SR), 0] for t in (0.5, 2.0, 3.5)]
            assert max(correlation(w, jfk)[0] for w in windows) > 0.95, context
    # A second restart finds nothing more to repair.
    statuses = [r["status"] for r in db_rows(tmp_path, "SELECT status FROM sessions")]
    assert statuses == ["recovered"] * 3
