"""Slaney-style mel filter bank, as librosa computes it, in plain numpy.

whisper.cpp reads these filters from the ggml file and uses them to compute
the log-mel spectrogram, so they must match OpenAI's `mel_filters.npz`
(librosa.filters.mel(sr=16000, n_fft=400, n_mels=80), float32).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    if hz >= _MIN_LOG_HZ:
        return float(_MIN_LOG_MEL + np.log(hz / _MIN_LOG_HZ) / _LOGSTEP)
    return hz / _F_SP


def _mel_to_hz(mels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    hz = _F_SP * mels
    log = mels >= _MIN_LOG_MEL
    hz[log] = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels[log] - _MIN_LOG_MEL))
    return hz


def mel_filters(sample_rate: int = 16000, n_fft: int = 400, n_mels: int = 80) -> npt.NDArray[np.float32]:
    """Return the `[n_mels, n_fft // 2 + 1]` float32 filter bank (Slaney scale and norm)."""
    weights = np.zeros((n_mels, n_fft // 2 + 1), dtype=np.float32)
    fft_freqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sample_rate)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sample_rate / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights
