"""A private PulseAudio server with null sinks: real capture without a sound card.

Each sink's `.monitor` source records what is played into the sink, through
PortAudio's `pulse` device, exactly as a user's system audio is recorded.
The server must run before `sounddevice` is imported, so capture runs in
subprocesses started after it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SINKS = ("sys_sink", "mic_sink")
# Float samples: a sink of 16-bit integers would quantize speech played at -65 dBFS to ~20 steps RMS, a loss of
# the test rig (it changed words between the quiet and the loud run), not of the app's handling of quiet input.
SINK_SPEC = "rate=48000 format=float32le"


def _pactl(*args: str) -> str:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, check=True, timeout=10).stdout


def start_server() -> None:
    """Start a private PulseAudio server (in $XDG_RUNTIME_DIR) with the null sinks; sys_sink is the default."""
    if shutil.which("pulseaudio") is None:
        raise RuntimeError("pulseaudio is not installed: run make setup")
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    runtime.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pulseaudio", "--kill"], capture_output=True, check=False)
    cmd = ["pulseaudio", "-D", "--system=false", "--exit-idle-time=-1", "-n", "--log-target=stderr",
           "--load=module-native-protocol-unix"]  # fmt: skip
    cmd += [f"--load=module-null-sink sink_name={s} {SINK_SPEC}" for s in SINKS]
    subprocess.run(cmd, capture_output=True, check=True, timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            _pactl("set-default-sink", "sys_sink")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.1)


def stop_server() -> None:
    subprocess.run(["pulseaudio", "--kill"], capture_output=True, check=False)


@pytest.fixture(scope="session")
def pulse() -> Iterator[None]:
    try:
        start_server()
    except RuntimeError as e:
        pytest.fail(str(e))
    yield
    stop_server()


def play(sink: str, wav: Path) -> subprocess.Popen[bytes]:
    """Play a WAV file into a sink, in the background."""
    return subprocess.Popen(["paplay", f"--device={sink}", str(wav)])


def load_sink(name: str) -> int:
    """Add a null sink; returns its module index for `unload_module`."""
    return int(_pactl("load-module", "module-null-sink", f"sink_name={name}", *SINK_SPEC.split()).strip())


def unload_module(index: int) -> None:
    _pactl("unload-module", str(index))


def play_at(sink: str, wav: Path, volume: int) -> subprocess.Popen[bytes]:
    """Play a WAV file into a sink at a PulseAudio volume (65536 is 100%), in the background."""
    return subprocess.Popen(["paplay", f"--device={sink}", f"--volume={volume}", str(wav)])
