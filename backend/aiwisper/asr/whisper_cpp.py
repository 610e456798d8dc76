"""whisper.cpp through pywhispercpp: one model, loaded once, greedy decoding, token probabilities."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import DecodeOptions, Engine, EngineResult, Segment, Word
from aiwisper.audio.level import normalize
from aiwisper.cpu import WHISPER_CPP_NEEDS, require
from aiwisper.errors import AiwisperError


class EngineError(AiwisperError):
    """The speech engine could not load its model or transcribe."""


def audio_ctx_for(seconds: float, margin: int = 64, floor: int = 0) -> int:
    """Encoder frames for `seconds` of audio (whisper: 50 a second, 1500 for 30 s), plus a margin, at least `floor`.

    A tight context loses words (tiny.en WER 3.3% → 4.6% on the test clips, base 5.2% → 10.5%); with a
    floor of 750 frames (15 s) the words come back (3.9%, 3.9%) at about half the encoder's time.
    """
    return min(1500, max(floor, math.ceil(seconds * 50) + margin))


LIVE_FINAL_FLOOR = 750  # frames: the least context a live final gets with fast_encoder "live"


class WhisperCppEngine(Engine):
    """Transcribes float32 16 kHz mono audio with a ggml model."""

    def __init__(self, model_path: Path, threads: int | None = None) -> None:
        require("whisper.cpp", WHISPER_CPP_NEEDS)  # before the import: the wheel's code raises SIGILL below it
        try:
            import _pywhispercpp as pw
            from pywhispercpp.model import Model
        except ImportError as e:  # pragma: no cover - depends on the install
            raise EngineError("pywhispercpp is not installed: pip install pywhispercpp") from e
        if not model_path.is_file():
            raise EngineError(f"model file {model_path} does not exist")
        self._pw: Any = pw
        self.model_path = model_path
        self.threads = threads or os.cpu_count() or 1
        self._model: Any = Model(
            str(model_path),
            n_threads=self.threads,
            print_progress=False,
            print_realtime=False,
            redirect_whispercpp_logs_to=None,
        )
        self.multilingual = bool(pw.whisper_is_multilingual(self._model_ctx()))

    def run(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> EngineResult:
        if self._model is None:
            raise EngineError("the engine is closed")
        pw = self._pw
        if audio.size == 0:
            return EngineResult([], options.language or "en")
        # Every parameter is passed on every call: pywhispercpp keeps them between calls.
        # The engine hears every piece at the same working level, whatever the recording's level.
        self._model.transcribe(
            np.ascontiguousarray(normalize(np.asarray(audio, dtype=np.float32)), dtype=np.float32),
            language=options.language or "auto",
            translate=options.translate,
            initial_prompt=options.prompt,
            audio_ctx=options.audio_ctx,
            no_speech_thold=options.no_speech_thold,
            logprob_thold=options.logprob_thold,
            temperature_inc=options.temperature_inc,
            max_tokens=options.max_tokens,
            token_timestamps=True,
            no_context=True,
            suppress_nst=True,
        )
        ctx = self._model_ctx()
        eot = pw.whisper_token_eot(ctx)
        segments = []
        for i in range(pw.whisper_full_n_segments(ctx)):
            t0 = pw.whisper_full_get_segment_t0(ctx, i) * 10
            t1 = pw.whisper_full_get_segment_t1(ctx, i) * 10
            words: list[tuple[list[bytes], list[float], int, int]] = []
            logps = []
            for j in range(pw.whisper_full_n_tokens(ctx, i)):
                data = pw.whisper_full_get_token_data(ctx, i, j)
                if data.id >= eot:
                    continue
                piece = pw.whisper_token_to_bytes(ctx, data.id)
                logps.append(data.plog)
                start = max(int(data.t0) * 10, t0)
                end = max(int(data.t1) * 10, start)
                if not words or piece.startswith(b" "):
                    words.append(([piece], [data.p], start, end))
                else:
                    words[-1][0].append(piece)
                    words[-1][1].append(data.p)
                    words[-1] = (words[-1][0], words[-1][1], words[-1][2], end)
            word_list = [
                Word(b"".join(b).decode("utf-8", "replace").strip(), s, e, float(np.mean(p)))
                for b, p, s, e in words
                if b"".join(b).strip()
            ]
            raw = pw.whisper_full_get_segment_text(ctx, i)
            text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()
            avg = float(np.mean(logps)) if logps else 0.0
            segments.append(Segment(start_ms=t0, end_ms=max(t1, t0), text=text, avg_logprob=avg, words=word_list))
        language = pw.whisper_lang_str(pw.whisper_full_lang_id(ctx))
        return EngineResult(segments, language)

    def _model_ctx(self) -> Any:
        return getattr(self._model, "_ctx")  # noqa: B009 - pywhispercpp's stubs omit the context

    def close(self) -> None:
        """Free the model; safe to call twice."""
        self._model = None
