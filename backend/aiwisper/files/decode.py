"""Decode any audio or video file as 16 kHz float32 blocks (mono, or a stereo file's two channels), with PyAV or
else the system's GStreamer.

PyAV (ffmpeg's libraries) is the decoder wherever it is installed. The Linux
one-file build leaves it out (its libraries are 36 MB of the binary) and uses
GStreamer, which the window's WebKitGTK brings. `AIWISPER_DECODER=gstreamer`
(or `av`) chooses one explicitly; the tests run the same files through both.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Generator
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

from aiwisper.files.errors import DecodeError, MediaInfo

__all__ = ["DecodeError", "MediaInfo", "decode_16k", "decoder", "probe"]


def decoder() -> str:
    chosen = os.environ.get("AIWISPER_DECODER", "")
    if chosen in ("av", "gstreamer"):
        return chosen
    return "av" if importlib.util.find_spec("av") is not None else "gstreamer"


def _module() -> ModuleType:
    if decoder() == "av":
        from aiwisper.files import decode_av

        return decode_av
    from aiwisper.files import decode_gst

    return decode_gst


def probe(path: Path) -> MediaInfo:
    info: MediaInfo = _module().probe(path)
    return info


def decode_16k(path: Path, block_s: float = 10.0, channels: int = 1) -> Generator[npt.NDArray[np.float32], None, None]:
    """Mono blocks, or `[n, 2]` frames of a file's first two channels when `channels` is 2 (`close()` it to stop
    early)."""
    blocks: Generator[npt.NDArray[np.float32], None, None] = _module().decode_16k(path, block_s, channels)
    return blocks
