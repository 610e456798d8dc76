"""whisper.cpp through pywhispercpp: one model, loaded once, greedy decoding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import Segment
from aiwisper.errors import AiwisperError


class EngineError(AiwisperError):
    """The speech engine could not load its model or transcribe."""


class WhisperCppEngine:
    """Transcribes float32 16 kHz mono audio with a ggml model."""

    def __init__(self, model_path: Path, threads: int | None = None) -> None:
        try:
            from pywhispercpp.model import Model
        except ImportError as e:  # pragma: no cover - depends on the install
            raise EngineError("pywhispercpp is not installed: pip install pywhispercpp") from e
        if not model_path.is_file():
            raise EngineError(f"model file {model_path} does not exist")
        self.model_path = model_path
        self.threads = threads or os.cpu_count() or 1
        self._model: Any = Model(
            str(model_path),
            n_threads=self.threads,
            print_progress=False,
            print_realtime=False,
            redirect_whispercpp_logs_to=None,
        )

    def transcribe(self, audio: npt.NDArray[np.float32], language: str | None = "en") -> list[Segment]:
        """Segments of `audio`; `language=None` lets the model detect it."""
        if audio.size == 0:
            return []
        segs = self._model.transcribe(
            np.ascontiguousarray(audio, dtype=np.float32),
            language=language or "auto",
        )
        # pywhispercpp reports times in centiseconds.
        return [Segment(start_ms=int(s.t0) * 10, end_ms=int(s.t1) * 10, text=s.text.strip()) for s in segs]

    def close(self) -> None:
        """Free the model; safe to call twice."""
        self._model = None
