"""Running `aiwisper record` as a user would, and reading what it left on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.storage.db import DB_FILE, connect


@dataclass
class RecordProcess:
    """A running `aiwisper record`, its stdout read into events as they come."""

    proc: subprocess.Popen[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    wav: Path | None = None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("event: "):
                self.events.append(json.loads(line[7:]))
            elif line.startswith("recording "):
                self.wav = Path(line.split(" to ", 1)[1].strip())
                self.started.set()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def wait(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout)
        time.sleep(0.1)
        return code


def start_record(data_dir: Path, *args: str, defaults: str | None = None) -> RecordProcess:
    """`aiwisper record …`; `defaults`: the settings' defaults as AIWISPER_DEFAULTS JSON (else the suite's)."""
    cmd = [sys.executable, "-m", "aiwisper", "record", "--data-dir", str(data_dir), *args]
    env = {**os.environ, **({"AIWISPER_DEFAULTS": defaults} if defaults is not None else {})}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    rp = RecordProcess(proc)
    threading.Thread(target=rp._read, daemon=True).start()
    if not rp.started.wait(30):
        proc.kill()
        raise AssertionError("recording did not start:\n" + "".join(rp.lines))
    return rp


def read_wav(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """(frames, channels) float32 and the rate, through the stdlib wave module (the header must be right)."""
    import wave

    from aiwisper.audio.pcm import bytes_to_float

    with wave.open(str(path), "rb") as w:
        ch, rate, n, width = w.getnchannels(), w.getframerate(), w.getnframes(), w.getsampwidth()
        data = bytes_to_float(w.readframes(n), width).reshape(-1, ch)
    assert data.shape[0] == n, "the header promises more frames than the file has"
    return data, rate


def db_rows(data_dir: Path, sql: str, *params: object) -> list[dict[str, Any]]:
    conn = connect(data_dir / DB_FILE, readonly=True)
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def best_lag(reference: npt.NDArray[np.float32], recorded: npt.NDArray[np.float32]) -> int:
    """Where `reference` starts inside `recorded` (FFT cross-correlation)."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(recorded))))
    corr = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(reference, n)), n)
    return int(np.argmax(corr[: len(recorded)]))


def correlation(reference: npt.NDArray[np.float32], recorded: npt.NDArray[np.float32]) -> tuple[float, int]:
    lag = best_lag(reference, recorded)
    seg = recorded[lag : lag + len(reference)]
    ref = reference[: len(seg)]
    return float(np.corrcoef(ref, seg)[0, 1]), lag
