"""Silero VAD (v5/v6 ONNX) on onnxruntime: one 512-sample frame in, a speech probability out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.errors import AiwisperError
from aiwisper.onnx_session import cpu_session

FRAME = 512  # samples per frame at 16 kHz (32 ms)
_CONTEXT = 64  # samples of the previous frame the model sees before each frame


class SileroVad:
    """Stateful: the model's recurrent state and the 64-sample context carry across frames."""

    def __init__(self, model_path: Path) -> None:
        if not model_path.is_file():
            raise AiwisperError(f"VAD model {model_path} is missing (run: aiwisper models build)")
        self._session: Any = cpu_session(model_path, 1)
        self._sr = np.array(16000, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        """Forget everything heard so far."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _CONTEXT), dtype=np.float32)

    def __call__(self, frame: npt.NDArray[np.float32]) -> float:
        """Speech probability of one 512-sample frame."""
        x = np.concatenate([self._context, frame.reshape(1, FRAME)], axis=1)
        out, self._state = self._session.run(None, {"input": x, "state": self._state, "sr": self._sr})
        self._context = x[:, -_CONTEXT:]
        return float(out[0, 0])
