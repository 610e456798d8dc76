"""The speech engine in a worker process: a native crash or a hang kills only the worker.

The parent side (`EngineWorker`) is owned by one thread. Each request waits
with a watchdog timeout; a dead or hung worker is killed and started again,
and the request fails with `WorkerCrashed` so the caller can retry it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import DecodeOptions, EngineResult
from aiwisper.asr.whisper_cpp import EngineError
from aiwisper.errors import AiwisperError
from aiwisper.procs import Failed, WorkerGone, WorkerProcess, incoming

log = logging.getLogger(__name__)
Audio = npt.NDArray[np.float32]


class WorkerCrashed(AiwisperError):
    """The worker process died or stopped answering; it has been restarted."""


@dataclass(frozen=True)
class Transcribe:
    """A request: `audio` with `options` (a batch: a list of each), or the model loaded only (no audio)."""

    model_path: Path
    threads: int
    audio: Audio | list[Audio] | None
    options: DecodeOptions | list[DecodeOptions]


@dataclass(frozen=True)
class Transcribed:
    results: list[EngineResult]  # one per piece of audio (none for a load)


def _serve(conn: Connection) -> None:
    """The worker's loop: one model loaded at a time, kept between requests."""
    from aiwisper.asr.ct2_engine import Ct2Engine
    from aiwisper.asr.whisper_cpp import WhisperCppEngine

    engine: WhisperCppEngine | Ct2Engine | None = None
    for msg in incoming(conn):
        request: Transcribe = msg
        try:
            path = request.model_path
            if engine is None or engine.model_path != path or engine.threads != request.threads:
                if engine is not None:
                    engine.close()
                engine = Ct2Engine(path, request.threads) if path.is_dir() else WhisperCppEngine(path, request.threads)
            audio, options = request.audio, request.options
            if audio is None:  # the model only
                conn.send(Transcribed([]))
            elif isinstance(audio, list) and isinstance(options, list):  # a batch
                if isinstance(engine, Ct2Engine):
                    conn.send(Transcribed(engine.run_batch(audio, options)))
                else:
                    conn.send(Transcribed([engine.run(a, o) for a, o in zip(audio, options, strict=True)]))
            elif not isinstance(audio, list) and isinstance(options, DecodeOptions):
                conn.send(Transcribed([engine.run(audio, options)]))
            else:
                conn.send(Failed("a batch needs one set of options per piece of audio"))
        except Exception as e:
            conn.send(Failed(f"{type(e).__name__}: {e}"))


class EngineWorker(WorkerProcess):
    """Parent side of the worker process. Not thread-safe: one owner thread calls it (`abort()` from any)."""

    def __init__(self, start_timeout: float = 30.0, max_rss_mb: float = 0.0) -> None:
        super().__init__(_serve, (), "aiwisper-asr")
        self.start_timeout = start_timeout
        self._loaded: tuple[Path, int] | None = None  # what the running worker holds
        self.restarts = 0
        self.memory_restarts = 0  # restarts because the worker grew past `max_rss_mb`
        self.max_rss_mb = max_rss_mb  # 0: no cap
        self.busy = False

    def start(self) -> None:
        """Start the worker process now, ahead of its first request (Python's start-up and the engine's imports
        then overlap with the caller's own); the model still loads on the first request."""
        if not self.alive:
            self._loaded = None
            self.connection()

    def load(self, model_path: Path, threads: int) -> bool:
        """Start the worker and load the model ahead of the first request; False if it is loaded already."""
        if self._loaded == (model_path, threads) and self.alive:
            return False
        self._request(Transcribe(model_path, threads, None, DecodeOptions()), self.start_timeout)
        return True

    def transcribe(self, model_path: Path, threads: int, audio: Audio, options: DecodeOptions,
                   timeout: float) -> EngineResult:  # fmt: skip
        """Run one request; raises WorkerCrashed (worker restarted) or EngineError."""
        return self._request(Transcribe(model_path, threads, audio, options), timeout)[0]

    def transcribe_batch(self, model_path: Path, threads: int, audios: list[Audio], options: list[DecodeOptions],
                         timeout: float) -> list[EngineResult]:  # fmt: skip
        """Several pieces in one request (the CTranslate2 engine decodes them together); errors as `transcribe`."""
        return self._request(Transcribe(model_path, threads, audios, options), timeout)

    def _request(self, request: Transcribe, timeout: float) -> list[EngineResult]:
        self.start()
        self.busy = True
        try:  # the first request of a worker also starts Python and loads the model
            reply: Transcribed | Failed = self.reply(request, timeout + (self.start_timeout if self.fresh else 0))
            self.fresh = False
        except WorkerGone as e:
            self.restarts += 1
            if e.timed_out:
                raise WorkerCrashed(f"the speech engine did not answer within {timeout:.0f} s") from e
            raise WorkerCrashed(f"the speech engine stopped (exit code {e.exitcode})") from e
        finally:
            self.busy = False
        if isinstance(reply, Failed):
            self._loaded = None
            raise EngineError(reply.error)
        self._loaded = (request.model_path, request.threads)
        if self.restart_if_over(self.max_rss_mb):
            self.memory_restarts += 1
        return reply.results


def default_threads(setting: int) -> int:
    return setting or os.cpu_count() or 1
