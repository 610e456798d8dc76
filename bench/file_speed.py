"""File transcription: `aiwisper transcribe` against native whisper-cli and faster-whisper, in one run.

Every engine runs as its own process, exec to exit (what a user waits for),
on the same audio: the eight LJ Speech clips joined with 1 s pauses, twice
(≈ 2 min), and `jfk.wav`. Same thread count, greedy decoding (temperature 0,
fallback as each engine does by default), language fixed to English.
Runs alternate between engines so drift on a shared machine hits all alike;
each figure is the median of `AIWISPER_BENCH_RUNS` (default 5) runs.

Peers: whisper-cli built natively from the whisper.cpp inside the pywhispercpp
sdist (bench/whisper_cli.py) on the very same ggml file; faster-whisper int8
and float32 on the CTranslate2 model our ggml files are converted from.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tests.speech import JFK_WAV, jfk_text, lj_clips, wer, write_wav

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.models.registry import ModelRegistry
from aiwisper.models.sources import SOURCES, model_directory
from aiwisper.paths import model_search_dirs
from bench import whisper_cli

THREADS = 2
# whisper-cli prints "[00:00:00.000 --> 00:00:06.360]   text"; with -nt it would decode without timestamp
# tokens (whole 30 s windows, fewer tokens), which is not the decoding we do.
TIMESTAMP = re.compile(r"^\[[^]]*\]\s*", re.MULTILINE)
RUNS = int(os.environ.get("AIWISPER_BENCH_RUNS", "5"))
MODELS = os.environ.get("AIWISPER_BENCH_MODELS", "tiny.en-q8_0,base-q8_0").split(",")


@dataclass
class Engine:
    label: str
    argv: Callable[[Path], list[str]]
    times: dict[str, list[float]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def lj_two_minutes(folder: Path) -> tuple[Path, str]:
    pause = np.zeros(SAMPLE_RATE, dtype=np.float32)
    clips = lj_clips()
    parts: list[np.ndarray] = []
    for _ in range(2):
        for clip in clips:
            parts += [read_wav_16k(clip.path), pause]
    text = " ".join([c.text for c in clips] * 2)
    return write_wav(folder / "lj-2min.wav", np.concatenate(parts)), text


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=900)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def engines_for(model: str, registry: ModelRegistry, cli: Path | None, data_dir: Path, ct2: Path) -> list[Engine]:
    ggml = registry.get(model).path
    aiwisper = str(Path(sys.executable).parent / "aiwisper")
    out = [
        Engine(
            f"aiwisper transcribe {engine} ({model})",
            lambda a, engine=engine: [aiwisper, "transcribe", str(a), "--model", model, "--language", "en",
                                      "--engine", engine, "--format", "txt", "--data-dir", str(data_dir)],
        )
        for engine in ("ctranslate2", "whisper.cpp")
    ]  # fmt: skip
    if cli is not None:
        out.append(
            Engine(
                f"whisper-cli native ({model})",
                lambda a: [str(cli), "-m", str(ggml), "-f", str(a), "-t", str(THREADS), "-bs", "1", "-l", "en",
                           "-np"],
            )
        )  # fmt: skip
    for ct in ("int8", "float32"):
        out.append(
            Engine(
                f"faster-whisper {ct} ({model.split('-')[0]} source)",
                lambda a, ct=ct: [sys.executable, "-m", "bench.fw_run", str(ct2), ct, str(THREADS), str(a)],
            )
        )
    return out


def run() -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    try:
        cli: Path | None = whisper_cli.build()
        cli_error = ""
    except Exception as e:  # the peer is reported missing, not skipped silently
        cli, cli_error = None, f"whisper-cli peer missing: {e}"
    with tempfile.TemporaryDirectory(prefix="aiwisper-bench-") as tmp:
        folder = Path(tmp)
        lj, lj_text = lj_two_minutes(folder)
        audio = {"lj-2min": (lj, lj_text), "jfk": (JFK_WAV, jfk_text())}
        env = {**os.environ, "HOME": str(folder / "home"), "XDG_DATA_HOME": str(folder / "xdg"),
               "OMP_NUM_THREADS": str(THREADS), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}  # fmt: skip
        registry = ModelRegistry(model_search_dirs())
        for model in MODELS:
            source = next(s for s in SOURCES if model.startswith(s.name))
            with model_directory(source) as ct2:
                engines = engines_for(model, registry, cli, folder / f"data-{model}", ct2)
                for i in range(RUNS):
                    for name, (path, _) in audio.items():
                        for e in engines:
                            elapsed, text = _run(e.argv(path), env)
                            text = TIMESTAMP.sub("", text)
                            e.times.setdefault(name, []).append(elapsed)
                            e.texts[name] = text
                            print(f"  run {i + 1}/{RUNS} {name:8} {e.label:45} {elapsed:6.2f} s", flush=True)
            results += _summarize(model, engines, audio, cli_error)
    return results


def _goal(audio: str, peer: str) -> float | None:
    """The time ratio to reach: 0.9× faster-whisper int8 on every file; whisper-cli's own time on long files
    (our pipeline adds nothing to its engine), 1.2× it exec → exit on a short one (Python's start-up included)."""
    if peer.startswith("faster-whisper int8"):
        return 0.9
    if peer.startswith("whisper-cli"):
        return 1.2 if audio == "jfk" else 1.05
    return None


def _summarize(
    model: str, engines: list[Engine], audio: dict[str, tuple[Path, str]], cli_error: str
) -> list[dict[str, Any]]:
    out = []
    for ours, name in ((e, n) for e in engines if e.label.startswith("aiwisper") for n in audio):
        ref = audio[name][1]
        mine = statistics.median(ours.times[name])
        for peer in (p for p in engines if not p.label.startswith("aiwisper")):
            theirs = statistics.median(peer.times[name])
            goal = _goal(name, peer.label)
            out.append({
                "name": f"file {name}, {model}: {ours.label.split(' (')[0]} vs {peer.label}",
                "ours": f"{mine:.2f} s (WER {wer([ref], [ours.texts[name]]) * 100:.1f}%)",
                "peer": f"{theirs:.2f} s (WER {wer([ref], [peer.texts[name]]) * 100:.1f}%)",
                "ratio": f"{mine / theirs:.2f}",
                "goal": f"≤ {goal}" if goal else "—",
                "met": (mine / theirs <= goal) if goal else None,
                "raw": {"ours": ours.times[name], "peer": peer.times[name]},
            })  # fmt: skip
        if not any(p.label.startswith("whisper-cli") for p in engines):
            out.append({"name": f"file {name}, {model}: ours vs whisper-cli", "ours": f"{mine:.2f} s",
                        "peer": "missing", "note": cli_error})  # fmt: skip
    return out


if __name__ == "__main__":
    from bench.common import save

    save(run())
