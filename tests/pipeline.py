"""Driving the whole app in process: replayed speech through capture path, VAD, queue, worker and storage."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.audio.capture import Block
from aiwisper.audio.file_source import FileSource
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.events import Event
from aiwisper.models.registry import ModelRegistry
from aiwisper.services import Services
from aiwisper.sessions.recorder import RecordConfig, Source
from aiwisper.settings import Settings
from aiwisper.storage.db import Database

from .speech import JFK_WAV, jfk_text, lj_clips

SR = 16000


class Replay:
    """Source factory: each session replays `audio` through the real callback path (20 ms blocks)."""

    def __init__(self, audio: npt.NDArray[np.float32], speed: float = 1.0, loop: bool = False) -> None:
        self.audio, self.speed, self.loop = audio, speed, loop
        self.sources: list[FileSource] = []

    def __call__(self, config: RecordConfig, out: queue.SimpleQueue[Block]) -> list[tuple[str, Source]]:
        src = FileSource(self.audio, 0, out, speed=self.speed, loop=self.loop)
        self.sources.append(src)
        return [("mic", src)]


@dataclass
class Recorded:
    events: list[tuple[float, Event]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, e: Event) -> None:
        with self.lock:
            self.events.append((time.monotonic(), e))

    def of(self, kind: str) -> list[tuple[float, Event]]:
        with self.lock:
            return [(t, e) for t, e in self.events if e.type == kind]


@contextmanager
def app(data_dir: Path, registry: ModelRegistry, factory: Replay | None = None,
        settings: Settings | None = None) -> Iterator[tuple[Services, Recorded]]:  # fmt: skip
    kwargs = {"source_factory": factory} if factory is not None else {}
    svc = Services(data_dir, settings or Settings(), registry=registry, **kwargs)  # type: ignore[arg-type]
    rec = Recorded()
    svc.bus.subscribe(rec.add)
    try:
        yield svc, rec
    finally:
        svc.close()


def count_trips(db: Database) -> list[str]:
    """From now on, each trip to `db` (a read, or a write) is listed by the function that made it."""
    trips: list[str] = []
    read, submit = db.read, db.submit

    def counted_read(fn: Any) -> Any:
        trips.append(f"read {getattr(fn, '__qualname__', fn)}")
        return read(fn)

    def counted_submit(fn: Any) -> Any:
        trips.append(f"write {getattr(fn, '__qualname__', fn)}")
        return submit(fn)

    db.read, db.submit = counted_read, counted_submit  # type: ignore[method-assign]
    return trips


def speech_with_pauses(
    pause_s: float = 2.5, clips: int = 3
) -> tuple[npt.NDArray[np.float32], list[tuple[int, int]], str]:
    """Silence, JFK, then LJ clips, with pauses between: the audio, the speech spans, the reference text."""
    parts = [np.zeros(SR, dtype=np.float32)]
    spans, texts = [], []
    pos = SR
    for audio, text in [(read_wav_16k(JFK_WAV), jfk_text())] + [
        (read_wav_16k(c.path), c.text) for c in lj_clips()[:clips]
    ]:
        spans.append((pos, pos + len(audio)))
        texts.append(text)
        parts += [audio, np.zeros(int(pause_s * SR), dtype=np.float32)]
        pos += len(audio) + int(pause_s * SR)
    return np.concatenate(parts), spans, " ".join(texts)
