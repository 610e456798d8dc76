"""Each converted model transcribes real speech on both engines (whisper.cpp on the ggml files, CTranslate2 on
their source folders); WER beside faster-whisper on the same source model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache

import numpy as np
import numpy.typing as npt
import pytest

from aiwisper.asr.ct2_engine import Ct2Engine
from aiwisper.asr.engines import ct2_folder
from aiwisper.asr.whisper_cpp import WhisperCppEngine
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.models.registry import ModelRegistry
from aiwisper.models.sources import SOURCES, model_directory

from .speech import JFK_WAV, jfk_text, lj_clips, normalize, wer

MODELS = ["tiny.en", "tiny.en-q8_0", "base", "base-q8_0", "ct2:tiny.en-q8_0", "ct2:base-q8_0"]
Engine = WhisperCppEngine | Ct2Engine
THREADS = min(2, os.cpu_count() or 1)


@cache
def _audio(path: str) -> npt.NDArray[np.float32]:
    from pathlib import Path

    return read_wav_16k(Path(path))


@cache
def faster_whisper_wer(source_name: str) -> float:
    """faster-whisper, greedy, float32, on the CTranslate2 model the ggml files were made from."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    source = next(s for s in SOURCES if s.name == source_name)
    clips = lj_clips()
    with model_directory(source) as folder:
        model = WhisperModel(str(folder), device="cpu", compute_type="float32", cpu_threads=THREADS)
        hyps = []
        for clip in clips:
            segments, _ = model.transcribe(
                _audio(str(clip.path)), language="en", beam_size=1, temperature=0.0, vad_filter=False
            )
            hyps.append(" ".join(s.text for s in segments))
    return wer([c.text for c in clips], hyps)


@pytest.fixture(scope="module", params=MODELS)
def engine(request: pytest.FixtureRequest, registry: ModelRegistry) -> Iterator[tuple[str, Engine]]:
    name = str(request.param)
    eng: Engine
    if name.startswith("ct2:"):
        folder = ct2_folder(registry.get(name.removeprefix("ct2:")))
        assert folder is not None, "the CTranslate2 folders are built by `aiwisper models build`"
        eng = Ct2Engine(folder, threads=THREADS)
    else:
        eng = WhisperCppEngine(registry.get(name).path, threads=THREADS)
    yield name, eng
    eng.close()


def test_jfk_gives_the_reference_words(engine: tuple[str, Engine]) -> None:
    _, eng = engine
    text = " ".join(s.text for s in eng.transcribe(_audio(str(JFK_WAV)), "en"))
    assert normalize(text) == normalize(jfk_text())


def test_lj_speech_word_error_rate(engine: tuple[str, Engine], report: list[str]) -> None:
    name, eng = engine
    clips = lj_clips()
    hyps = [" ".join(s.text for s in eng.transcribe(_audio(str(c.path)), "en")) for c in clips]
    ours = wer([c.text for c in clips], hyps)
    peer = faster_whisper_wer(name.removeprefix("ct2:").split("-")[0])
    report.append(
        f"WER on {len(clips)} LJ Speech clips, greedy, {THREADS} threads: {type(eng).__name__} {name} {ours:.1%}"
        f" | faster-whisper float32 on the source model {peer:.1%}"
    )
    assert ours <= 0.10, f"{name}: WER {ours:.1%} on LJ Speech"


def test_segments_carry_times_inside_the_audio(engine: tuple[str, Engine]) -> None:
    _, eng = engine
    audio = _audio(str(JFK_WAV))
    segs = eng.transcribe(audio, "en")
    assert segs and all(0 <= s.start_ms < s.end_ms <= len(audio) / 16 + 1000 for s in segs)
