"""Real media files made for tests with PyAV: many codecs, rates and layouts, video with and without sound."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from aiwisper.audio.resample import to_16k


def encode_audio(
    audio16k: npt.NDArray[np.float32], path: Path, codec: str, rate: int = 16000, channels: int = 1,
    video: bool = False,
) -> Path:  # fmt: skip
    """Write `audio16k` (mono, 16 kHz) as `path` with `codec` at `rate` Hz and `channels` channels."""
    import soxr

    audio = audio16k if rate == 16000 else soxr.resample(audio16k, 16000, rate).astype(np.float32)
    layout = "mono" if channels == 1 else "stereo"
    data = np.tile(audio[None, :], (channels, 1)).astype(np.float32)
    with av.open(str(path), "w") as out:
        vstream = None
        if video:
            vstream = out.add_stream("libvpx" if path.suffix == ".webm" else "mpeg4", rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        stream = out.add_stream(codec, rate=rate, layout=layout)
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame_size = stream.codec_context.frame_size or 1024
        for i in range(0, data.shape[1], frame_size):
            piece = np.ascontiguousarray(data[:, i : i + frame_size])
            frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = i
            frame.time_base = Fraction(1, rate)
            frame = av.AudioResampler(format=fmt, layout=layout, rate=rate).resample(frame)[0]
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if vstream is not None:
            _video_frames(out, vstream, seconds=len(audio) / rate)
    return path


def _video_frames(out: av.container.OutputContainer, stream: av.video.stream.VideoStream, seconds: float) -> None:
    for i in range(int(seconds * 10)):
        img = np.full((48, 64, 3), (i * 5) % 255, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = i
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def video_without_audio(path: Path, seconds: float = 2.0) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        _video_frames(out, stream, seconds)
    return path


def silence_flac(path: Path, seconds: float) -> Path:
    """A long FLAC of digital silence (small on disk, long to decode)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("flac", rate=16000, layout="mono")
        block = np.zeros((1, 16000 * 60), dtype=np.int16)
        for minute in range(int(seconds // 60)):
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate = 16000
            frame.pts = minute * block.shape[1]
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def decode_check(path: Path) -> npt.NDArray[np.float32]:
    """What a file holds, back at 16 kHz mono, decoded independently of the app."""
    with av.open(str(path)) as c:
        chunks = [f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)]
        rate = c.streams.audio[0].rate
    return to_16k(np.concatenate(chunks).astype(np.float32), rate)
