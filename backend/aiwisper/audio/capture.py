"""Audio input through sounddevice (PortAudio): device listing and capture streams.

The PortAudio callback only copies the block into a queue and counts overflows:
it never blocks, never takes a lock held elsewhere, never allocates more than
the block. On Linux with PulseAudio/PipeWire every source, monitors of the
output included, is reachable through PortAudio's `pulse` device; which source
it records is chosen with `PULSE_SOURCE` while the stream opens.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.errors import AiwisperError, NotFoundError

BLOCK_SECONDS = 0.02  # 20 ms per callback
PULSE_WATCH_SECONDS = 1.0  # how often a PulseAudio source is checked for removal


class CaptureError(AiwisperError):
    """A device could not be opened or stopped working."""


@dataclass(frozen=True)
class Device:
    """An input the user can record from."""

    id: str  # "pa:<index>" for a PortAudio device, "pulse:<source>" for a PulseAudio source
    name: str
    host_api: str
    channels: int
    default_rate: int
    is_default: bool
    is_monitor: bool  # the system's own audio (an output's monitor or loopback)


def _sd() -> Any:
    try:
        import sounddevice as sd
    except OSError as e:  # libportaudio missing
        raise CaptureError(f"PortAudio is not available ({e}); on Debian/Ubuntu: apt-get install libportaudio2") from e
    return sd


def _pactl(*args: str) -> str | None:
    if sys.platform != "linux" or shutil.which("pactl") is None:
        return None
    try:
        out = subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def _pulse_sources() -> list[Device]:
    listing = _pactl("list", "short", "sources")
    info = _pactl("info") or ""
    if listing is None:
        return []
    default_source = default_sink = ""
    for line in info.splitlines():
        if line.startswith("Default Source:"):
            default_source = line.split(":", 1)[1].strip()
        elif line.startswith("Default Sink:"):
            default_sink = line.split(":", 1)[1].strip()
    devices = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        name, spec = parts[1], parts[3]
        rate = next((int(p.rstrip("Hz")) for p in spec.split() if p.endswith("Hz")), 48000)
        chans = next((int(p.rstrip("ch")) for p in spec.split() if p.endswith("ch")), 2)
        monitor = name.endswith(".monitor")
        devices.append(
            Device(
                id=f"pulse:{name}",
                name=name,
                host_api="PulseAudio",
                channels=chans,
                default_rate=rate,
                is_default=name == (f"{default_sink}.monitor" if monitor else default_source),
                is_monitor=monitor,
            )
        )
    return devices


def list_devices() -> list[Device]:
    """Every input: PortAudio's devices, and PulseAudio's sources where a server runs."""
    sd = _sd()
    default_in = sd.default.device[0]
    apis = sd.query_hostapis()
    devices = []
    for d in sd.query_devices():
        if d["max_input_channels"] <= 0:
            continue
        api = apis[d["hostapi"]]["name"]
        loopback = "loopback" in d["name"].lower() or "monitor" in d["name"].lower()
        devices.append(
            Device(
                id=f"pa:{d['index']}",
                name=d["name"],
                host_api=api,
                channels=int(d["max_input_channels"]),
                default_rate=int(d["default_samplerate"]),
                is_default=d["index"] == default_in,
                is_monitor=loopback,
            )
        )
    if any(d.name == "pulse" for d in devices):
        devices += _pulse_sources()
    return devices


def resolve_device(spec: str | None, system: bool = False) -> Device:
    """A device by id, exact name or unique name fragment; `None`/"default" for the default
    microphone, or with `system=True` the default output's monitor."""
    devices = list_devices()
    if spec in (None, "", "default"):
        if system:
            found = [d for d in devices if d.is_monitor and d.is_default] or [d for d in devices if d.is_monitor]
            if not found:
                raise NotFoundError("no system-audio source found (no output monitor or loopback device)")
            return found[0]
        found = [d for d in devices if d.is_default and not d.is_monitor] or [d for d in devices if not d.is_monitor]
        if not found:
            raise NotFoundError("no microphone found")
        return found[0]
    exact = [d for d in devices if spec in (d.id, d.name)]
    if exact:
        return exact[0]
    if spec.startswith("pulse:"):
        raise NotFoundError(f"no PulseAudio source {spec[6:]!r}")
    partial = [d for d in devices if spec.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise NotFoundError(f"no input device matches {spec!r} (see: aiwisper devices)")
    names = ", ".join(d.name for d in partial)
    raise NotFoundError(f"{spec!r} matches several devices: {names}")


_OPEN_LOCK = threading.Lock()  # PULSE_SOURCE is process-wide while a stream opens


@dataclass
class Block:
    """One callback's worth of audio from one source."""

    source: int
    data: npt.NDArray[np.float32]  # (frames, channels) at the device rate


class CaptureStream:
    """One input stream; blocks go to a queue shared with the other sources of the session."""

    def __init__(self, device: Device, index: int, out: queue.SimpleQueue[Block]) -> None:
        self.device = device
        self.index = index
        self.rate = device.default_rate
        self.channels = min(device.channels, 2)
        self.overflows = 0
        self.failed: str | None = None
        self._out = out
        self._stream: Any = None
        self._closing = False
        self._watch_stop = threading.Event()

    def _callback(self, indata: npt.NDArray[np.float32], frames: int, time: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        self._out.put(Block(self.index, indata.copy()))

    def _finished(self) -> None:
        if self._stream is not None and not self._closing:
            self.failed = f"{self.device.name} stopped delivering audio (disconnected?)"

    def start(self) -> None:
        sd = _sd()
        self._closing = False
        pa_device: Any = self.device.name
        env_saved = os.environ.get("PULSE_SOURCE")
        with _OPEN_LOCK:
            try:
                if self.device.id.startswith("pulse:"):
                    os.environ["PULSE_SOURCE"] = self.device.name
                    pa_device = "pulse"
                elif self.device.id.startswith("pa:"):
                    pa_device = int(self.device.id[3:])
                self._stream = sd.InputStream(
                    device=pa_device,
                    channels=self.channels,
                    samplerate=self.rate,
                    dtype="float32",
                    blocksize=int(self.rate * BLOCK_SECONDS),
                    callback=self._callback,
                    finished_callback=self._finished,
                )
                self._stream.start()
                if self.device.id.startswith("pulse:"):
                    threading.Thread(target=self._watch_pulse, name="pulse-watch", daemon=True).start()
            except Exception as e:  # PortAudioError, ValueError: say which device and why
                self._stream = None
                raise CaptureError(f"cannot open {self.device.name}: {e}") from e
            finally:
                if self.device.id.startswith("pulse:"):
                    if env_saved is None:
                        os.environ.pop("PULSE_SOURCE", None)
                    else:
                        os.environ["PULSE_SOURCE"] = env_saved

    def _watch_pulse(self) -> None:
        """PulseAudio moves the stream of a removed source to another one; notice the removal instead."""
        while not self._watch_stop.wait(PULSE_WATCH_SECONDS):
            names = {d.name for d in _pulse_sources()}
            if names and self.device.name not in names:
                self.failed = f"{self.device.name} disappeared"
                return

    def close(self) -> None:
        """Stop and close the stream; safe to call twice."""
        self._closing = True
        self._watch_stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
            finally:
                stream.close()
