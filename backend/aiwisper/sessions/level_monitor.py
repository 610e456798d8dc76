"""The microphone's level before anything is recorded (the first run's meter, the record page's): one source opened
by the recorder's own factory (a real device, or the replayed file of a test), its level published as `MicLevel`
events about ten times a second. It closes when asked, when a recording starts (which needs the device), or
`LIFETIME_S` after the last request, so a closed page never leaves a microphone open."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from aiwisper.audio.capture import Block
from aiwisper.audio.level import db
from aiwisper.events import EventBus, MicLevel
from aiwisper.sessions.recorder import BusyError
from aiwisper.sessions.sources import RecordConfig, Source, SourceFactory

log = logging.getLogger(__name__)

LIFETIME_S = 30.0  # a page that wants the meter asks again within this
INTERVAL_S = 0.1


class LevelMonitor:
    """Owns the monitoring source and its thread; `close()` is idempotent."""

    def __init__(self, bus: EventBus, factory: SourceFactory, recording: Callable[[], bool]) -> None:
        self._bus = bus
        self._factory = factory
        self._recording = recording
        self._lock = threading.Lock()
        self._mic: str | None = None
        self._until = 0.0
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def watch(self, mic: str) -> None:
        """Publish `mic`'s level for the next `LIFETIME_S` (a different microphone replaces the one watched)."""
        with self._lock:
            if self._recording():
                raise BusyError("a recording is on: its own meter shows the levels")
            self._until = time.monotonic() + LIFETIME_S
            if self._mic == mic and self._thread is not None and self._thread.is_alive():
                return
            self._close_locked()
            out: queue.SimpleQueue[Block] = queue.SimpleQueue()
            sources = [s for _, s in self._factory(RecordConfig(mic=mic, system=None, transcribe=False), out)]
            started: list[Source] = []
            try:
                for s in sources:
                    s.start()
                    started.append(s)
            except Exception:
                for s in started:
                    s.close()
                raise
            self._mic, self._stop = mic, threading.Event()
            args = (mic, started, out, self._stop)
            self._thread = threading.Thread(target=self._run, args=args, name="level-monitor", daemon=True)
            self._thread.start()

    def _run(self, mic: str, sources: list[Source], out: queue.SimpleQueue[Block], stop: threading.Event) -> None:
        try:
            while not stop.is_set() and time.monotonic() < self._until:
                blocks: list[np.ndarray] = []
                due = time.monotonic() + INTERVAL_S
                while (left := due - time.monotonic()) > 0:
                    try:
                        blocks.append(out.get(timeout=left).data)
                    except queue.Empty:
                        break
                audio = np.concatenate([b.reshape(-1) for b in blocks]) if blocks else np.zeros(1, np.float32)
                rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
                self._bus.publish(MicLevel(mic, round(db(rms), 1), round(db(float(np.max(np.abs(audio)))), 1)))
        except Exception:
            log.exception("the level monitor of %s failed", mic)
        finally:
            for s in sources:
                try:
                    s.close()
                except Exception:
                    log.exception("closing the monitored %s failed", mic)
            with self._lock:
                if self._stop is stop:
                    self._mic = None

    def _close_locked(self) -> None:
        stop, thread = self._stop, self._thread
        self._stop = self._thread = None
        self._mic = None
        if stop is not None:
            stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def close(self) -> None:
        """Stop watching (the device is closed before this returns); safe to call twice."""
        with self._lock:
            self._close_locked()
