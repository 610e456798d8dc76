"""Capture under load: a real PulseAudio recording while whisper saturates both cores.

A private PulseAudio server with a null sink; `jfk.wav` is played into it in a
loop; `aiwisper record` (live transcription on, as a user runs it) records
the sink's monitor through PortAudio for `AIWISPER_BENCH_CAPTURE_S` seconds
(default 600). Meanwhile this process keeps a second speech engine worker
busy with base-q8_0 on 2 threads, so both cores stay saturated. Reported:
PortAudio overflow count (the recorder's `dropped_frames` warnings, goal 0)
and the recorded length against the wall-clock length (the peer).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
from tests.pulse import play, start_server, stop_server
from tests.recording import start_record
from tests.speech import JFK_WAV

from aiwisper.asr.types import DecodeOptions
from aiwisper.asr.worker import EngineWorker
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs

SECONDS = int(os.environ.get("AIWISPER_BENCH_CAPTURE_S", "600"))


def _keep_playing(stop: threading.Event) -> None:
    while not stop.is_set():
        play("mic_sink", JFK_WAV).wait(60)


def _saturate(stop: threading.Event, busy: list[float]) -> None:
    model = ModelRegistry(model_search_dirs()).get("base-q8_0").path
    audio = np.tile(read_wav_16k(JFK_WAV), 3)[: 30 * 16000]
    worker = EngineWorker()
    try:
        while not stop.is_set():
            t = time.monotonic()
            worker.transcribe(model, 2, audio, DecodeOptions(language="en"), 600)
            busy.append(time.monotonic() - t)
    finally:
        worker.close()


def run(seconds: int = SECONDS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="aiwisper-capture-") as tmp:
        for var, sub in (("HOME", "home"), ("XDG_RUNTIME_DIR", "run"), ("XDG_CONFIG_HOME", "config")):
            os.environ[var] = str(Path(tmp) / sub)
            Path(os.environ[var]).mkdir(mode=0o700)
        start_server()
        stop = threading.Event()
        busy: list[float] = []
        threads = [threading.Thread(target=_keep_playing, args=(stop,)),
                   threading.Thread(target=_saturate, args=(stop, busy))]  # fmt: skip
        try:
            for t in threads:
                t.start()
            time.sleep(5)  # the load is running before the recording starts
            t0 = time.monotonic()
            rec = start_record(Path(tmp) / "data", "--seconds", str(seconds), "--device", "pulse:mic_sink.monitor",
                               "--system-device", "none")  # fmt: skip
            code = rec.wait(seconds + 300)
            wall = time.monotonic() - t0
        finally:
            stop.set()
            for t in threads:
                t.join(120)
            stop_server()
        assert rec.wav is not None and code == 0, "".join(rec.lines[-20:])
        with wave.open(str(rec.wav)) as w:
            recorded = w.getnframes() / w.getframerate()
    drops = [int(m.group(1)) for e in rec.of_type("warning") if (m := re.search(r"dropped (\d+) times", e["message"]))]
    overflows = max(drops, default=0)
    finals = len(rec.of_type("chunk_transcribed"))
    load = sum(busy) / wall
    print(f"capture {seconds} s under load: overflows {overflows}, recorded {recorded:.1f} s, "
          f"load worker busy {load:.0%}, {finals} live finals")  # fmt: skip
    return {
        "name": f"capture under load, {seconds / 60:.0f} min (PulseAudio null sink, both cores busy)",
        "ours": f"{overflows} overflows; {recorded:.1f} s recorded",
        "peer": f"{seconds} s asked",
        "ratio": f"{recorded / seconds:.4f}",
        "goal": "0 overflows",
        "met": overflows == 0,
        "note": f"a second whisper worker (base-q8_0, 2 threads) busy {load:.0%} of the time, plus the recording's "
        f"own live transcription ({finals} finals)",
    }


if __name__ == "__main__":
    from bench.common import save

    save([run()])
