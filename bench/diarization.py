"""Speaker diarization: DER on real voices, time per minute of audio, and the worker's memory over 20 runs.

DER (no collar, overlapped reference speech scored) on pyannote's two-person sample against its RTTM, on
a meeting of four real voices taking turns (tests/realspeech.meeting), and on 14 real AMI meeting excerpts of 30 s
(tests/data/ami: far-field room audio, 1–4 people, overlaps and one-word answers), pooled over the excerpts, with
its parts and the worst excerpt; the trivial baseline in the same rows: one speaker wherever the reference has
speech (no speech missed or invented, every overlap and every other speaker wrong).
The time is the warm worker's, per minute of audio, with its peer measured in the same run: whisper.cpp
transcribing the same audio with the default English model (diarization should cost a fraction of transcription).
Memory: the worker's RSS after the first and after the 20th run (goal: flat, ≤ 10% growth).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.realspeech import AMI, DEV, ami_excerpts, ami_meetings, load, meeting
from tests.speech import write_wav

from aiwisper.asr.types import DecodeOptions
from aiwisper.asr.whisper_cpp import WhisperCppEngine
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.speakers.der import Der, der, parse_rttm
from aiwisper.speakers.diarize import Turn
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
            rows.append(_ami(worker))
            rows.append(_ami_meetings(worker, Path(tmp)))
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


def _pooled(results: list[tuple[float, Der]]) -> tuple[float, float, float, float]:
    """DER and its parts over several recordings: each one's errors weighted by its reference speech."""
    total = sum(speech for speech, _ in results)
    parts = [sum(speech * getattr(r, part) for speech, r in results) / total
             for part in ("der", "missed", "false_alarm", "confusion")]  # fmt: skip
    return parts[0], parts[1], parts[2], parts[3]


def _scored(
    worker: DiarizationWorker, cases: list[tuple[str, Path, list[tuple[int, int, str]]]]
) -> tuple[list[tuple[float, Der]], float, float]:
    """Each recording diarized and scored, printed beside one speaker on its reference speech: (seconds of
    speech, result) of each, the trivial baseline's pooled DER, and the mean error of the speaker count."""
    ours, trivial, counts = [], [], []
    for name, wav, reference in cases:
        speech = sum(e - s for s, e, _ in reference) / 1000
        result = der(reference, worker.diarize(wav))
        one = der(reference, [Turn(s, e, 0) for s, e, _ in reference])
        print(f"  AMI {name}: DER {result.der:.3f} (missed {result.missed:.3f}, false alarm {result.false_alarm:.3f}, "
              f"confusion {result.confusion:.3f}; {result.reference_speakers} speakers, "
              f"{result.hypothesis_speakers} found); one speaker: {one.der:.3f}")  # fmt: skip
        ours.append((speech, result))
        trivial.append((speech, one))
        counts.append(abs(result.hypothesis_speakers - result.reference_speakers))
    return ours, _pooled(trivial)[0], sum(counts) / len(counts)


def _row(
    name: str, ours: list[tuple[float, Der]], base: float, count_error: float, worst: str, goal: str
) -> dict[str, Any]:
    d, missed, fa, conf = _pooled(ours)
    return {"name": name, "ours": f"{d:.3f}{worst}; speaker count off by {count_error:.1f} on average",
            "peer": f"one speaker on the reference speech: {base:.3f}; ours missed {missed:.3f}, false alarm {fa:.3f}, "
                    f"confusion {conf:.3f}", "ratio": f"{d / base:.2f}", "goal": goal, "met": d <= 0.25}  # fmt: skip


def _ami_meetings(worker: DiarizationWorker, tmp: Path) -> dict[str, Any]:
    """The excerpts of each AMI meeting joined: 1-2 minutes, 2-5 people, the speaker count to find."""
    cases = [(f"meeting {name} ({len(audio) / 16000:.0f} s)", write_wav(tmp / f"ami-{name}.wav", audio), reference)
             for name, (audio, reference) in ami_meetings().items()]  # fmt: skip
    ours, base, count_error = _scored(worker, cases)
    return _row(f"DER, {len(ours)} AMI meetings joined from their excerpts (1-2 min, 2-5 people, pooled)", ours, base,
                count_error, "", "≤ 0.25")  # fmt: skip


def _ami(worker: DiarizationWorker) -> dict[str, Any]:
    cases = [(name, AMI / f"{name}.wav", reference) for name, reference in ami_excerpts().items()]
    ours, base, count_error = _scored(worker, cases)
    (worst, result) = max(zip((c[0] for c in cases), (r for _, r in ours), strict=True), key=lambda w: w[1].der)
    return _row(f"DER, {len(ours)} AMI meeting excerpts (pooled)", ours, base, count_error,
                f" (worst {worst}: {result.der:.3f})", "≤ 0.25 (pyannote 3.1 on AMI: ~0.2)")  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
