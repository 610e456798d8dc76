"""Whisper's input: the log-mel spectrogram of a 30 s window, in numpy.

As OpenAI's reference computes it: the audio is padded with zeros to 30 s, a centred STFT (Hann window of
400 samples, hop 160, reflect padding), power spectrum, Slaney mel filters (80 bands), log10 floored at
1e-10 and at 8 below the window's maximum, then scaled as (x + 4) / 4. Pure functions.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from aiwisper.models.mel import mel_filters

N_FFT = 400
HOP = 160
WINDOW_SAMPLES = 480_000  # 30 s at 16 kHz
WINDOW_FRAMES = WINDOW_SAMPLES // HOP  # 3000 mel frames; the encoder makes 1500 positions of them


@cache
def _hann() -> npt.NDArray[np.float32]:
    n = np.arange(N_FFT, dtype=np.float64)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)  # periodic, as torch.hann_window


@cache
def _filters() -> npt.NDArray[np.float32]:
    return mel_filters(16000, N_FFT, 80)


def log_mel_window(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """`[80, 3000]` features of up to 30 s of 16 kHz mono audio (longer audio is an error)."""
    if audio.size > WINDOW_SAMPLES:
        raise ValueError(f"a window holds at most {WINDOW_SAMPLES} samples, {audio.size} given")
    padded = np.zeros(WINDOW_SAMPLES, dtype=np.float32)
    padded[: audio.size] = audio
    padded = np.pad(padded, N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:WINDOW_FRAMES]
    spectrum = np.fft.rfft(frames * _hann(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    mel = _filters() @ power.T
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    out: npt.NDArray[np.float32] = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return out
