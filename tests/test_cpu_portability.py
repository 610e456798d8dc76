"""Every native part runs on the user's CPU, not only ours: each one, run in a process emulated as an older CPU
(QEMU user mode: Haswell has AVX2 and no AVX-512; Nehalem has no AVX at all), gives what it gives natively, or the
app refuses with a message naming the missing instruction set. Never a crash (SIGILL, SIGSEGV).

The inputs are tiny (3-4.5 s of JFK, two sentences, a six-token answer): emulation is 10-50x slower.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .speech import normalize

PROBE = Path(__file__).parent / "cpu_probe.py"
PARTS = ["cpu", "resample", "portaudio", "vad", "ct2", "whispercpp", "speakers", "meaning", "notes"]
EMULATED = ("Haswell", "Nehalem")


# Emulation is slow, and slowest in CTranslate2's AVX2 code (134 s for one 8 s sentence): each emulated CPU's parts
# run in two processes, so that the two cores stay busy.
HALVES = (PARTS[: PARTS.index("ct2") + 1], PARTS[PARTS.index("ct2") + 1 :])


def _start(models: Path, cpu: str | None, parts: list[str] = PARTS) -> subprocess.Popen[str]:
    qemu = [] if cpu is None else [shutil.which("qemu-x86_64") or "qemu-x86_64", "-cpu", cpu]
    return subprocess.Popen([*qemu, sys.executable, str(PROBE), str(models), *parts],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _finish(procs: list[subprocess.Popen[str]], cpu: str, timeout: float) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()  # no emulator left spinning for the rest of the suite
            raise
        assert proc.returncode == 0, (
            f"{cpu}: the probe died with {proc.returncode} (a crash, not a refusal)\n{err[-3000:]}"
        )
        answers |= {a["part"]: a for a in map(json.loads, out.splitlines())}
    assert sorted(answers) == sorted(PARTS), answers
    failed = {k: v for k, v in answers.items() if "error" in v}
    assert not failed, f"{cpu}: {json.dumps(failed, indent=1)}"
    return answers


@pytest.fixture(scope="module")
def runs(models_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    if shutil.which("qemu-x86_64") is None:
        pytest.fail("qemu-user is not installed: run make setup")
    if not shutil.which("qemu-x86_64") or sys.platform != "linux":
        pytest.skip("x86-64 Linux only")
    procs = {cpu: [_start(models_dir, cpu, half) for half in HALVES] for cpu in EMULATED}  # sharing the 2 cores
    native = _finish([_start(models_dir, None)], "native", 300)
    return {"native": native, **{cpu: _finish(p, cpu, 2400) for cpu, p in procs.items()}}


def _cosine(a: list[float], b: list[float]) -> float:
    x, y = np.asarray(a), np.asarray(b)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def test_the_emulated_cpus_are_the_older_ones(runs: dict[str, dict[str, dict[str, Any]]]) -> None:
    haswell, nehalem = set(runs["Haswell"]["cpu"]["ok"]), set(runs["Nehalem"]["cpu"]["ok"])
    assert {"AVX2", "FMA3", "F16C"} <= haswell and "AVX512F" not in haswell
    assert "SSE42" in nehalem and "AVX" not in nehalem


@pytest.mark.parametrize("cpu", EMULATED)
def test_audio_is_resampled_and_portaudio_opens_the_same(runs: dict[str, dict[str, dict[str, Any]]], cpu: str) -> None:
    native, emulated = np.asarray(runs["native"]["resample"]["ok"]), np.asarray(runs[cpu]["resample"]["ok"])
    assert np.abs(native).max() > 0.05  # speech, not silence
    assert np.abs(native - emulated).max() < 1e-4
    assert runs[cpu]["portaudio"]["ok"] == runs["native"]["portaudio"]["ok"]
    assert "PortAudio" in runs["native"]["portaudio"]["ok"]["version"]


@pytest.mark.parametrize("cpu", EMULATED)
def test_vad_hears_the_same(runs: dict[str, dict[str, dict[str, Any]]], cpu: str) -> None:
    native, emulated = np.asarray(runs["native"]["vad"]["ok"]), np.asarray(runs[cpu]["vad"]["ok"])
    assert native.max() > 0.9  # JFK speaks: the probabilities compared are real ones
    assert np.abs(native - emulated).max() < 0.02, (native, emulated)


@pytest.mark.parametrize("cpu", EMULATED)
def test_ctranslate2_writes_the_same_words(runs: dict[str, dict[str, dict[str, Any]]], cpu: str) -> None:
    native = runs["native"]["ct2"]["ok"]
    assert "fellow americans" in normalize(native)
    assert normalize(runs[cpu]["ct2"]["ok"]) == normalize(native)


def test_whisper_cpp_runs_with_avx2_and_is_refused_by_name_without(runs: dict[str, dict[str, dict[str, Any]]]) -> None:
    native = runs["native"]["whispercpp"]["ok"]
    assert "fellow americans" in normalize(native)
    assert normalize(runs["Haswell"]["whispercpp"]["ok"]) == normalize(native)
    refused = runs["Nehalem"]["whispercpp"]["refused"]
    assert "whisper.cpp needs a CPU with AVX, AVX2, FMA, F16C" in refused, refused


@pytest.mark.parametrize("cpu", EMULATED)
def test_speaker_and_text_embeddings_are_the_same(runs: dict[str, dict[str, dict[str, Any]]], cpu: str) -> None:
    assert _cosine(runs["native"]["speakers"]["ok"], runs[cpu]["speakers"]["ok"]) > 0.999
    native, emulated = runs["native"]["meaning"]["ok"], runs[cpu]["meaning"]["ok"]
    assert _cosine(native[0], native[1]) < 0.95  # two different sentences: not a constant vector
    for a, b in zip(native, emulated, strict=True):
        assert _cosine(a, b) > 0.999


@pytest.mark.parametrize(("cpu", "variant"), [("Haswell", "haswell"), ("Nehalem", "sse42")])
def test_the_notes_model_picks_its_code_for_the_cpu_and_answers(
    runs: dict[str, dict[str, dict[str, Any]]], cpu: str, variant: str
) -> None:
    assert runs[cpu]["notes"]["ok"]["variant"] == variant
    assert "paris" in normalize(runs["native"]["notes"]["ok"]["text"])
    assert normalize(runs[cpu]["notes"]["ok"]["text"]) == normalize(runs["native"]["notes"]["ok"]["text"])
