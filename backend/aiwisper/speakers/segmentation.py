"""pyannote segmentation-3.0: who of up to three local speakers is talking, frame by frame, in 10 s of audio.

PyanNet: SincNet (80 parametrized band-pass filters, stride 10, three conv/max-pool/instance-norm stages) →
four bidirectional LSTM layers → two linear layers → 7 "powerset" classes per frame: nobody, one of three
speakers alone, or one of three pairs. Read from its checkpoint without torch (`convert`), run by onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.onnx_session import cpu_session
from aiwisper.speakers.weights import Array

F32 = npt.NDArray[np.float32]
RATE = 16000
CHUNK = 10 * RATE  # the model's input: 10 s
FRAMES = 589  # its output frames per chunk
FRAME_STEP = 270  # samples between frames (16.875 ms)
FRAME_SIZE = 991  # samples each frame sees
POWERSET: tuple[tuple[int, ...], ...] = ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2))
SPEAKERS = 3  # local speakers per chunk
SINC = "sincnet.conv1d.0.filterbank"
KERNEL, MIN_LOW_HZ, MIN_BAND_HZ = 251, 50.0, 50.0
# pyannote's training checkpoint pickles its task description beside the weights; these are read as placeholders
METADATA = frozenset({"pyannote.audio.core.task.Specifications", "pyannote.audio.core.task.Problem",
                      "pyannote.audio.core.task.Resolution", "torch.torch_version.TorchVersion"})  # fmt: skip


def sinc_filters(low_hz: Array, band_hz: Array) -> F32:
    """The SincNet filterbank (80, 1, 251): 40 cosine (even) and 40 sine (odd) band-pass filters, as asteroid's
    ParamSincFB computes them from its learnt low cut-offs and bandwidths."""
    half = KERNEL // 2
    window = np.hamming(KERNEL)[:half].astype(np.float32)
    n = (2 * np.pi * np.arange(-half, 0.0) / RATE).astype(np.float32).reshape(1, -1)
    low = MIN_LOW_HZ + np.abs(low_hz.astype(np.float32))
    high = np.clip(low + MIN_BAND_HZ + np.abs(band_hz.astype(np.float32)), MIN_LOW_HZ, RATE / 2)
    band = (high - low)[:, 0]
    ft_low, ft_high = low @ n, high @ n
    cos_left = (np.sin(ft_high) - np.sin(ft_low)) / (n / 2) * window
    cos = np.concatenate([cos_left, 2 * band[:, None], cos_left[:, ::-1]], axis=1)
    sin_left = (np.cos(ft_low) - np.cos(ft_high)) / (n / 2) * window
    sin = np.concatenate([sin_left, np.zeros((len(band), 1), np.float32), -sin_left[:, ::-1]], axis=1)
    filters = np.concatenate([cos, sin], axis=0) / (2 * np.concatenate([band, band]))[:, None]
    out: F32 = filters.reshape(-1, 1, KERNEL).astype(np.float32)
    return out


def convert(state: dict[str, Array]) -> dict[str, Array]:
    """The checkpoint's tensors with the sinc filterbank's parameters turned into its convolution kernel."""
    out = {k: v.astype(np.float32) for k, v in state.items() if not k.startswith(SINC)}
    out["sincnet.conv1d.0.weight"] = sinc_filters(state[f"{SINC}.low_hz_"], state[f"{SINC}.band_hz_"])
    return out


class Segmenter:
    """Runs the ONNX model: per chunk, the log-probabilities of the 7 powerset classes of each frame."""

    def __init__(self, path: Path, threads: int = 2) -> None:
        self.session = cpu_session(path, threads)

    def __call__(self, chunks: F32) -> F32:
        """(n, FRAMES, 7) log-probabilities of (n, CHUNK) samples."""
        out: F32 = self.session.run(None, {"audio": chunks[:, None, :].astype(np.float32)})[0]
        return out
