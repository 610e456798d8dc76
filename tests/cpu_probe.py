"""Runs every native part of the app in this one process on short real inputs and prints what each gave, as JSON.

tests/test_cpu_portability.py runs it natively and under `qemu-x86_64 -cpu Haswell|Nehalem` (an older CPU,
emulated) and compares. Everything runs here, in-process: a worker process the app would spawn is exec'd, and an
exec'd process leaves the emulator and runs natively again. A part that refuses prints its error; a part that
crashes kills the process, and the test sees that.

usage: python tests/cpu_probe.py MODELS_DIR PART...
(parts: cpu resample portaudio vad ct2 whispercpp speakers meaning notes)
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data"
JFK = DATA / "jfk.wav"
SPOKEN = 4.9  # s of JFK: "And so my fellow Americans, ask not" and the pause after it
SENTENCE = 8.0  # s of JFK: "... ask not what your country can do for you."
SENTENCES = ["The van broke down on the motorway.", "Der Zug hatte zwei Stunden Verspätung."]


def jfk(seconds: float) -> np.ndarray:
    from aiwisper.audio.wav_read import read_wav_16k

    audio = read_wav_16k(JFK)
    return np.ascontiguousarray(audio[: int(seconds * 16000)], dtype=np.float32)


def cpu(models: Path) -> Any:
    from aiwisper.cpu import features

    return sorted(features())


def vad(models: Path) -> Any:
    from aiwisper.vad import FRAME, SileroVad

    model = SileroVad(models / "silero_vad.onnx")
    audio = jfk(3.0)
    return [round(model(audio[i : i + FRAME]), 4) for i in range(0, len(audio) - FRAME + 1, FRAME)]


def resample(models: Path) -> Any:
    from aiwisper.audio.resample import to_16k

    audio = jfk(1.0)  # made 44.1 kHz by numpy (linear), then back to 16 kHz by soxr
    wide = np.interp(np.arange(44100) * 16000 / 44100, np.arange(len(audio)), audio).astype(np.float32)
    return [round(float(x), 5) for x in to_16k(wide, 44100)[8000:12000]]


def portaudio(models: Path) -> Any:
    import sounddevice

    return {"version": sounddevice.get_portaudio_version()[1], "host_apis": len(sounddevice.query_hostapis())}


def _text(engine: Any, audio: np.ndarray, audio_ctx: int = 0) -> str:
    from aiwisper.asr.types import DecodeOptions

    result = engine.run(audio, DecodeOptions(language="en", temperature_inc=0.0, audio_ctx=audio_ctx))
    return " ".join(s.text.strip() for s in result.segments)


def ct2(models: Path) -> Any:
    from aiwisper.asr.ct2_engine import Ct2Engine
    from aiwisper.asr.whisper_cpp import audio_ctx_for

    engine = Ct2Engine(models / "ct2-tiny.en", threads=1)
    try:  # a whole sentence in its own context, as a live chunk gets. Emulated AVX2 is slow in MKL's kernels:
        # the 30 s window took 19 min under qemu Haswell, this one 134 s (12.6 s under Nehalem's SSE code).
        # A context cut inside the sentence (4.9 s) loops: "ask not ask not ask not ..."
        return _text(engine, jfk(SENTENCE), audio_ctx_for(SENTENCE))
    finally:
        engine.close()


def whispercpp(models: Path) -> Any:
    from aiwisper.asr.whisper_cpp import WhisperCppEngine, audio_ctx_for

    engine = WhisperCppEngine(models / "ggml-tiny.en-q8_0.bin", threads=1)
    try:  # the clip's own context, as whisper.cpp's live partials get: 5x less work than 30 s under emulation
        return _text(engine, jfk(SPOKEN), audio_ctx_for(SPOKEN))
    finally:
        engine.close()


def speakers(models: Path) -> Any:
    from aiwisper.speakers.campplus import Embedder
    from aiwisper.speakers.diarize import embed_windows

    audio = jfk(2.0)  # kaldi-native-fbank's features, then CAM++ on onnxruntime
    vector = embed_windows(audio, [(0, 0, len(audio))], Embedder(models / "campplus.onnx", threads=1))[0]
    return [float(x) for x in vector]


def meaning(models: Path) -> Any:
    from aiwisper.meaning.embedder import Embedder

    embedder = Embedder(models, threads=1)
    try:
        return [[float(x) for x in row] for row in embedder.passages(SENTENCES)]
    finally:
        embedder.close()


def notes(models: Path) -> Any:
    from aiwisper.summaries.gguf import FILE
    from aiwisper.summaries.llm import LlamaCpp

    llm = LlamaCpp(models / FILE, threads=1, context=256)
    prompt = "<|im_start|>user\nWhat is the capital of France? Answer in one word.<|im_end|>\n<|im_start|>assistant\n"
    out = llm.llm.create_completion(prompt, max_tokens=6, temperature=0.0, top_k=1)
    return {"variant": llm.cpu_variant, "text": str(out["choices"][0]["text"])}  # type: ignore[index]


PARTS: dict[str, Callable[[Path], Any]] = {
    "cpu": cpu, "resample": resample, "portaudio": portaudio, "vad": vad, "ct2": ct2, "whispercpp": whispercpp,
    "speakers": speakers, "meaning": meaning, "notes": notes,
}  # fmt: skip


def main() -> None:
    from aiwisper.errors import AiwisperError

    models = Path(sys.argv[1])
    for name in sys.argv[2:]:
        started = time.monotonic()
        try:
            answer: dict[str, Any] = {"part": name, "ok": PARTS[name](models)}
        except AiwisperError as e:  # a refusal the app would show
            answer = {"part": name, "refused": f"{type(e).__name__}: {e}"}
        except Exception as e:
            answer = {"part": name, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
        answer["seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
