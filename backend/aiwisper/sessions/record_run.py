"""One recording's state, owned by its session thread (sources, mixer, WAV, segmenters, watches), and the
watchdog the thread runs between blocks: levels for the meters, dropped frames, a stalled or failed source, the
length limit and auto-stop."""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.capture import Block
from aiwisper.audio.level import LevelWatch, SystemSilenceWatch
from aiwisper.audio.mixer import Mixer
from aiwisper.audio.wav_writer import WavWriter
from aiwisper.events import AudioLevels, EventBus, Level, Warning
from aiwisper.segmenter import Segmenter
from aiwisper.sessions import store
from aiwisper.sessions.sources import RecordConfig, Source

log = logging.getLogger(__name__)
LEVELS_INTERVAL = 0.05  # 20 Hz
STALL_SECONDS = 3.0  # a source silent this long after delivering has gone away
FIRST_BLOCK_SECONDS = 10.0  # a new stream may take a moment (PulseAudio: up to ~1.5 s) to deliver


def _source_name(src: object) -> str:
    device = getattr(src, "device", None)
    return str(getattr(device, "name", type(src).__name__))


@dataclass
class Run:
    """Everything one session's thread owns."""

    session: store.SessionRow
    config: RecordConfig
    folder: Path
    sources: list[tuple[str, Source]]
    queue: queue.SimpleQueue[Block]
    wav: WavWriter
    mixer: Mixer
    resamplers: list[Any]
    segmenters: list[Segmenter]
    watches: list[LevelWatch]  # per source: quiet speech, clipping
    stop: threading.Event = field(default_factory=threading.Event)
    reason: str = "user"
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    flowing: threading.Event = field(default_factory=threading.Event)  # every source has delivered
    thread: threading.Thread | None = None
    pending_writes: list[Future[Any]] = field(default_factory=list)
    system_watch: SystemSilenceWatch = field(default_factory=lambda: SystemSilenceWatch(0))
    last_overflows = 0
    last_levels = 0.0
    started: float = field(default_factory=time.monotonic)
    last_block: dict[int, float] = field(default_factory=dict)  # source index → when its last block came


def watch(run: Run, bus: EventBus, auto_stop_minutes: float) -> None:
    """Levels for the meters; dropped frames, a stalled or failed source, the length limit and auto-stop."""
    now = time.monotonic()
    if now - run.last_levels >= LEVELS_INTERVAL:
        run.last_levels = now
        levels = {k: Level(rms=round(v.rms_db, 1), peak=round(v.peak_db, 1)) for k, v in run.mixer.levels().items()}
        bus.publish(AudioLevels(run.session.id, run.wav.frames * 1000 // SAMPLE_RATE, levels))
    overflows = sum(src.overflows for _, src in run.sources)
    if overflows > run.last_overflows:
        run.last_overflows = overflows
        bus.publish(
            Warning(run.session.id, "dropped_frames", f"audio frames were dropped {overflows} times (system busy?)")
        )
    for i, (_, src) in enumerate(run.sources):
        last = run.last_block.get(i)
        if src.failed is None and now - (last or run.started) > (STALL_SECONDS if last else FIRST_BLOCK_SECONDS):
            src.failed = f"{_source_name(src)} stopped delivering audio (disconnected?)"
        if src.failed:
            run.reason, run.error = "error", src.failed
            run.stop.set()
            return
    if run.config.max_seconds is not None and run.wav.frames >= run.config.max_seconds * SAMPLE_RATE:
        run.reason = "limit"
        run.stop.set()
        return
    auto = auto_stop_minutes * 60 * SAMPLE_RATE
    if auto and min(seg.silence_samples for seg in run.segmenters) >= auto:
        run.reason = "auto_stop"
        run.stop.set()
