"""Decoding with PyAV (ffmpeg's libraries), in process, as 16 kHz float32 blocks: mono, or the two channels of a
stereo file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.files.errors import DecodeError, MediaInfo, check_file


def _open(path: Path) -> Any:
    import av

    check_file(path)
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as e:
        raise DecodeError(f"{path.name} is not an audio or video file AIWisper can read ({_reason(e)})") from e


def _reason(e: Exception) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return text.split(":")[0] if ":" in text and "Errno" in text else text


def _mono(planes: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    return planes.mean(axis=0, dtype=np.float32) if planes.shape[0] > 1 else planes.reshape(-1).astype(np.float32)


def _stereo(planes: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """`[n, 2]` frames; a mono frame is heard on both sides."""
    both = planes if planes.shape[0] > 1 else np.repeat(planes, 2, axis=0)
    return np.ascontiguousarray(both[:2].T, dtype=np.float32)


def probe(path: Path) -> MediaInfo:
    with _open(path) as container:
        if not container.streams.audio:
            raise DecodeError(f"{path.name} has no audio track")
        stream = container.streams.audio[0]
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        return MediaInfo(duration, int(stream.rate or 0), int(stream.channels or 0), stream.codec_context.name)


def decode_16k(path: Path, block_s: float = 10.0, channels: int = 1) -> Iterator[npt.NDArray[np.float32]]:
    """16 kHz float32 blocks of about `block_s` seconds, mono (`channels` 1) or `[n, 2]` frames of the first two
    channels (`channels` 2); memory stays flat for long files."""
    import av

    with _open(path) as container:
        if not container.streams.audio:
            raise DecodeError(f"{path.name} has no audio track")
        stream = container.streams.audio[0]
        # Channels are averaged here: ffmpeg's own downmix to mono adds stereo channels at -3 dB each, which
        # makes stereo 1.41x louder than either channel and can clip loud recordings.
        resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE)
        frames = _stereo if channels == 2 else _mono
        pending: list[npt.NDArray[np.float32]] = []
        size = 0
        target = int(block_s * SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pending.append(frames(out.to_ndarray()))
                    size += len(pending[-1])
                if size >= target:
                    yield np.concatenate(pending)
                    pending, size = [], 0
            for out in resampler.resample(None):
                pending.append(frames(out.to_ndarray()))
        except av.FFmpegError as e:
            raise DecodeError(f"{path.name} is corrupt: decoding failed ({_reason(e)})") from e
        if pending:
            yield np.concatenate(pending)
