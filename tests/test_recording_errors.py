"""Bad input from the terminal: clear one-line errors, and what was written stays valid."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from .recording import db_rows, read_wav, start_record
from .speech import JFK_WAV

SR = 16000


def test_unknown_device_writes_nothing(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "aiwisper", "record", "--device", "no-such-microphone", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "aiwisper: error: no input device matches 'no-such-microphone' (see: aiwisper devices)"
    ]
    assert not (tmp_path / "sessions").exists() or not any((tmp_path / "sessions").iterdir())
    assert db_rows(tmp_path, "SELECT * FROM sessions") == []


def test_disk_full_stops_with_an_error_and_a_playable_wav(tmp_path: Path) -> None:
    limit = 450_000  # bytes any one file may reach: the 24-bit WAV fills it after about 9 s

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, "-m", "aiwisper", "record", "--replay", str(JFK_WAV), "--seconds", "60",
           "--data-dir", str(tmp_path)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, preexec_fn=small_disk, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "writing the recording failed: File too large" in proc.stdout
    assert '"reason": "error"' in proc.stdout
    wav = next((tmp_path / "sessions").glob("*/audio.wav"))
    audio, _ = read_wav(wav)
    assert audio.shape[0] >= 8 * SR
    session = db_rows(tmp_path, "SELECT * FROM sessions")[0]
    assert session["status"] == "done" and "File too large" in session["error"]
    assert session["duration_ms"] == audio.shape[0] * 1000 // SR


def test_replay_records_the_file_in_real_time(tmp_path: Path) -> None:
    rec = start_record(tmp_path, "--replay", str(JFK_WAV), "--seconds", "3")
    assert rec.wait(30) == 0
    assert rec.wav is not None
    audio, _ = read_wav(rec.wav)
    assert 3 * SR <= audio.shape[0] < 3.2 * SR
