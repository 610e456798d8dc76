"""Speaker diarization: DER on real voices, time per minute of audio, and the worker's memory over 20 runs.

DER (no collar, overlapped reference speech scored) on pyannote's two-person sample against its RTTM, and on
a meeting of four real voices taking turns (tests/realspeech.meeting). The time is the warm worker's, per minute
of audio, with its peer measured in the same run: whisper.cpp transcribing the same audio with the default
English model (diarization should cost a fraction of transcription). Memory: the worker's RSS after the first
and after the 20th run (goal: flat, ≤ 10% growth).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.realspeech import DEV, load, meeting
from tests.speech import write_wav

from aiwisper.asr.types import DecodeOptions
from aiwisper.asr.whisper_cpp import WhisperCppEngine
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.speakers.der import der, parse_rttm
from aiwisper.speakers.worker import DiarizationWorker

RUNS = 20


def run() -> list[dict[str, Any]]:
    registry = ModelRegistry(model_search_dirs())
    worker = DiarizationWorker(registry.speaker_models(), threads=2)
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            audio, reference = meeting()
            wav = write_wav(Path(tmp) / "meeting.wav", audio)
            cases = [("pyannote sample (2 speakers)", DEV / "pyannote_sample.wav",
                      parse_rttm((DEV / "pyannote_sample.rttm").read_text()), 0.15),
                     ("four real voices taking turns", wav, reference, 0.10)]  # fmt: skip
            for name, path, ref, goal in cases:
                result = der(ref, worker.diarize(path))
                rows.append({"name": f"DER, {name}", "ours": f"{result.der:.3f} ({result.hypothesis_speakers} found)",
                             "peer": f"{result.reference_speakers} speakers; missed {result.missed:.3f}, false alarm "
                                     f"{result.false_alarm:.3f}, confusion {result.confusion:.3f}",
                             "goal": f"≤ {goal}", "met": result.der <= goal
                             and result.hypothesis_speakers == result.reference_speakers})  # fmt: skip
            minutes = len(audio) / 16000 / 60
            times, rss = [], []
            for _ in range(RUNS):
                t = time.perf_counter()
                worker.diarize(wav)
                times.append(time.perf_counter() - t)
                rss.append(worker.rss_mb() or 0.0)
            ours = statistics.median(times) / minutes
            engine = WhisperCppEngine(registry.default("en").path, 2)
            peer_times = []
            for _ in range(3):
                t = time.perf_counter()
                engine.run(load(wav), DecodeOptions())
                peer_times.append(time.perf_counter() - t)
            peer = statistics.median(peer_times) / minutes
            rows.append({"name": "diarization time per minute of audio", "ours": f"{ours:.2f} s",
                         "peer": f"{peer:.2f} s (whisper.cpp {registry.default('en').name}, same audio)",
                         "ratio": f"{ours / peer:.2f}", "goal": "≤ 3 s per minute", "met": ours <= 3.0})  # fmt: skip
            growth = (rss[-1] - rss[0]) / rss[0]
            rows.append({"name": f"diarization worker RSS over {RUNS} runs", "ours": f"{rss[0]:.0f} → {rss[-1]:.0f} MB",
                         "peer": "its own first run", "ratio": f"{1 + growth:.3f}", "goal": "flat (≤ 10% growth)",
                         "met": growth <= 0.10})  # fmt: skip
    finally:
        worker.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
