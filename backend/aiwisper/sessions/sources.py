"""What a recording is made of: its configuration and its sources (device streams, or a replay in tests)."""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiwisper.audio.capture import Block, CaptureStream, resolve_device
from aiwisper.errors import InvalidArgumentError


class Source(Protocol):
    """What the recorder needs of a capture source (a device stream or a replay)."""

    index: int
    rate: int
    overflows: int
    failed: str | None

    def start(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class RecordConfig:
    """What to record: device specs (None: that source is off), title and limits."""

    mic: str | None = "default"
    system: str | None = None
    title: str | None = None
    transcribe: bool = True
    max_seconds: float | None = None
    language: str | None = None  # None: detect once per session
    model: str | None = None  # None: the default for the language
    vocabulary: str = ""  # words and names to expect (given to the engine as a prompt)


SourceFactory = Callable[[RecordConfig, "queue.SimpleQueue[Block]"], list[tuple[str, Source]]]


def device_sources(config: RecordConfig, out: queue.SimpleQueue[Block]) -> list[tuple[str, Source]]:
    """Real devices: the microphone and/or the system-audio source."""
    wanted = [("mic", config.mic, False), ("system", config.system, True)]
    devices = [
        (label, resolve_device(None if spec == "default" else spec, system))
        for label, spec, system in wanted
        if spec is not None
    ]
    if not devices:
        raise InvalidArgumentError("nothing to record: choose a microphone, system audio, or both")
    return [(label, CaptureStream(dev, i, out)) for i, (label, dev) in enumerate(devices)]


@dataclass(frozen=True)
class SpokenChunk:
    """A chunk being spoken now: samples [start, end) of one source so far, and where it ends if the silence
    heard since its speech stopped goes on (`closing_end`, else None)."""

    session_id: str
    source: str
    start: int
    end: int
    closing_end: int | None
    silence_start: int | None = None  # where that silence began
