"""CAM++ speaker embeddings (3D-Speaker, Apache-2.0): 80-bin fbank windows in, 192-d embeddings out.

The network: a 2-D convolutional front end (FCM), a TDNN layer, three densely connected TDNN blocks with
context-aware masking, statistics pooling and a dense layer. The checkpoint is read without torch (`weights`),
its batch norms folded (`convert`) and written as an ONNX graph (`campplus_onnx`) when models are built.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.onnx_session import cpu_session
from aiwisper.speakers.weights import Array, batchnorm

F32 = npt.NDArray[np.float32]
BLOCKS = ((12, 3, 1), (24, 3, 2), (16, 3, 2))  # (layers, kernel, dilation) of the three dense blocks
SEG_LEN = 100  # frames averaged for the masking context
EMBEDDING_DIM = 192


def convert(state: dict[str, Array]) -> dict[str, Array]:
    """The checkpoint's tensors as the arrays `CamPlus` runs on: conv weights as they are, batch norms folded."""
    out: dict[str, Array] = {}
    for name, value in state.items():
        if name.endswith("num_batches_tracked") or ".running_" in name:
            continue
        owner = name.rsplit(".", 1)[0]
        if f"{owner}.running_mean" in state:
            continue  # a batch norm's weight/bias: folded below
        out[name] = value.astype(np.float32)
    for name in state:
        if name.endswith(".running_mean"):
            owner = name[: -len(".running_mean")]
            out[f"{owner}.scale"], out[f"{owner}.shift"] = batchnorm(state, owner)
    return out


class Embedder:
    """CAM++ on onnxruntime: speaker embeddings of fixed 1.5 s fbank windows; one session, owned by its caller."""

    def __init__(self, path: Path, threads: int = 2) -> None:
        self.session = cpu_session(path, threads)

    def embed(self, windows: F32, batch: int = 4) -> F32:
        """Embeddings (n, 192) of windows (n, 150, 80), each already mean-normalized; small batches keep the
        worker near 250 MB (32 at a time: 900 MB) at the same speed."""
        if len(windows) == 0:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        parts = [self.session.run(None, {"feats": windows[i : i + batch]})[0] for i in range(0, len(windows), batch)]
        out: F32 = np.concatenate(parts).astype(np.float32)
        return out


def fbank(samples: npt.NDArray[np.float32], sample_rate: int = 16000) -> F32:
    """Kaldi 80-bin log-mel fbank (25 ms frames every 10 ms, no dither), mean-normalized over time."""
    import kaldi_native_fbank as knf  # type: ignore[import-untyped]

    opts = knf.FbankOptions()
    opts.frame_opts.dither = 0.0
    opts.frame_opts.samp_freq = sample_rate
    opts.mel_opts.num_bins = 80
    computer = knf.OnlineFbank(opts)
    computer.accept_waveform(sample_rate, samples.astype(np.float32).tolist())
    computer.input_finished()
    frames = np.array([computer.get_frame(i) for i in range(computer.num_frames_ready)], dtype=np.float32)
    if len(frames) == 0:
        return np.zeros((0, 80), np.float32)
    out: F32 = frames - frames.mean(0, keepdims=True)
    return out
