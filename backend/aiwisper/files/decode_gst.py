"""Decoding with the system's GStreamer (through gi), where PyAV is not bundled: the Linux one-file build.

WebKitGTK, which the desktop window needs anyway, depends on GStreamer, so
the codecs come from the system like the web view does. Same interface as
`decode.py`: `probe` fails on bad files before anything is written, and
`decode_16k` yields 16 kHz mono float32 blocks with flat memory.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.files.errors import DecodeError, MediaInfo, check_file

PIPELINE = (
    "filesrc name=src ! decodebin caps=audio/x-raw expose-all-streams=false ! audioconvert ! audioresample ! "
    f"audio/x-raw,format=F32LE,layout=interleaved,channels={{channels}},rate={SAMPLE_RATE} ! "
    "appsink name=sink sync=false max-buffers=32"
)
STALL_S = 60.0  # no audio and no error for this long: the file is given up


@cache
def _gst() -> Any:
    if getattr(sys, "frozen", False):
        # The bundle carries no GStreamer plugins: use the system's, with a registry that outlives the run.
        from platformdirs import user_cache_dir

        os.environ.pop("GST_PLUGIN_SYSTEM_PATH", None)
        os.environ.pop("GST_PLUGIN_PATH", None)
        cache_dir = Path(user_cache_dir("aiwisper"))
        cache_dir.mkdir(parents=True, exist_ok=True)
        os.environ["GST_REGISTRY"] = str(cache_dir / "gst-registry.bin")
    try:
        import gi

        gi.require_version("Gst", "1.0")
        gi.require_version("GstPbutils", "1.0")
        from gi.repository import Gst, GstPbutils
    except (ImportError, ValueError) as e:
        raise DecodeError(f"GStreamer is not available to decode files ({e}): install gir1.2-gstreamer-1.0") from e
    Gst.init(None)
    return Gst, GstPbutils


def probe(path: Path) -> MediaInfo:
    check_file(path)
    gst, pbutils = _gst()
    from gi.repository import GLib

    try:
        info = pbutils.Discoverer.new(30 * gst.SECOND).discover_uri(path.resolve().as_uri())
    except GLib.Error as e:
        raise DecodeError(f"{path.name} is not an audio or video file AIWisper can read ({e.message})") from e
    if info.get_result() == pbutils.DiscovererResult.MISSING_PLUGINS:
        missing = ", ".join(info.get_missing_elements_installer_details() or []) or "a decoder"
        raise DecodeError(f"{path.name} needs a GStreamer plugin that is not installed ({missing})")
    audio = info.get_audio_streams()
    if not audio:
        raise DecodeError(f"{path.name} has no audio track")
    duration = info.get_duration() / gst.SECOND if info.get_duration() else None
    caps = audio[0].get_caps()
    codec = caps.get_structure(0).get_name() if caps and caps.get_size() else "unknown"
    return MediaInfo(duration, int(audio[0].get_sample_rate()), int(audio[0].get_channels()), codec)


def decode_16k(path: Path, block_s: float = 10.0, channels: int = 1) -> Iterator[npt.NDArray[np.float32]]:
    """16 kHz float32 blocks of about `block_s` seconds: mono, or `[n, 2]` frames when `channels` is 2."""
    check_file(path)
    gst, _ = _gst()
    pipeline = gst.parse_launch(PIPELINE.format(channels=channels))
    pipeline.get_by_name("src").set_property("location", str(path))
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    pending: list[npt.NDArray[np.float32]] = []
    size, target = 0, int(block_s * SAMPLE_RATE)
    pipeline.set_state(gst.State.PLAYING)
    try:
        last = time.monotonic()
        while True:
            sample = sink.emit("try-pull-sample", gst.SECOND // 4)
            if sample is None:
                _raise_error(bus, gst, path)
                if sink.get_property("eos"):
                    break
                if time.monotonic() - last > STALL_S:
                    raise DecodeError(f"{path.name}: decoding stalled")
                continue
            last = time.monotonic()
            buf = sample.get_buffer()
            ok, mapped = buf.map(gst.MapFlags.READ)
            if ok:
                data = np.frombuffer(mapped.data, dtype=np.float32).copy()
                pending.append(data.reshape(-1, 2) if channels == 2 else data)
                buf.unmap(mapped)
                size += len(pending[-1])
            if size >= target:
                yield np.concatenate(pending)
                pending, size = [], 0
        _raise_error(bus, gst, path)
    finally:
        pipeline.set_state(gst.State.NULL)
    if pending:
        yield np.concatenate(pending)


def _raise_error(bus: Any, gst: Any, path: Path) -> None:
    msg = bus.pop_filtered(gst.MessageType.ERROR)
    if msg is not None:
        err, _ = msg.parse_error()
        raise DecodeError(f"{path.name} is corrupt: decoding failed ({err.message})")
