"""The speech engine in a worker process: a native crash or a hang kills only the worker.

The parent side (`EngineWorker`) is owned by one thread. Each request waits
with a watchdog timeout; a dead or hung worker is killed and started again,
and the request fails with `WorkerCrashed` so the caller can retry it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.asr.types import DecodeOptions, EngineResult, Segment, Word
from aiwisper.asr.whisper_cpp import EngineError
from aiwisper.errors import AiwisperError
from aiwisper.procs import incoming, kill, rss_mb

log = logging.getLogger(__name__)


class WorkerCrashed(AiwisperError):
    """The worker process died or stopped answering; it has been restarted."""


def _serve(conn: Connection) -> None:
    """The worker's loop: one model loaded at a time, kept between requests."""
    from aiwisper.asr.ct2_engine import Ct2Engine
    from aiwisper.asr.whisper_cpp import WhisperCppEngine

    engine: WhisperCppEngine | Ct2Engine | None = None
    for msg in incoming(conn):
        _, model_path, threads, audio, options = msg
        try:
            if engine is None or engine.model_path != Path(model_path) or engine.threads != threads:
                if engine is not None:
                    engine.close()
                path = Path(model_path)
                engine = Ct2Engine(path, threads) if path.is_dir() else WhisperCppEngine(path, threads)
            if audio is None:  # "load": the model only
                conn.send(("ok", [], ""))
                continue
            if isinstance(audio, list):  # a batch
                opts = [DecodeOptions(**o) for o in options]
                if isinstance(engine, Ct2Engine):
                    results = engine.run_batch(audio, opts)
                else:
                    results = [engine.run(a, o) for a, o in zip(audio, opts, strict=True)]
                conn.send(("ok", [[asdict(s) for s in r.segments] for r in results], [r.language for r in results]))
                continue
            result = engine.run(audio, DecodeOptions(**options))
            conn.send(("ok", [asdict(s) for s in result.segments], result.language))
        except Exception as e:
            conn.send(("error", f"{type(e).__name__}: {e}"))


def _segment(d: dict[str, Any]) -> Segment:
    return Segment(**{**d, "words": [Word(**w) for w in d["words"]]})


class EngineWorker:
    """Parent side of the worker process. Not thread-safe: one owner thread calls it."""

    def __init__(self, start_timeout: float = 30.0, max_rss_mb: float = 0.0) -> None:
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None
        self._fresh = False  # the next request is the first of a new process: it also loads the model
        self.start_timeout = start_timeout
        self._loaded: tuple[Path, int] | None = None  # what the running worker holds
        self.restarts = 0
        self.memory_restarts = 0  # restarts because the worker grew past `max_rss_mb`
        self.max_rss_mb = max_rss_mb  # 0: no cap
        self.busy = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the worker process now, ahead of its first request (Python's start-up and the engine's imports
        then overlap with the caller's own); the model still loads on the first request."""
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            self._start()

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child,), name="aiwisper-asr", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        self._fresh = True
        self._loaded = None

    def _kill(self) -> None:
        kill(self._proc, self._conn)
        self._proc = self._conn = None

    def load(self, model_path: Path, threads: int) -> bool:
        """Start the worker and load the model ahead of the first request; False if it is loaded already."""
        if self._loaded == (model_path, threads) and self._proc is not None and self._proc.is_alive():
            return False
        self._request(model_path, threads, None, asdict(DecodeOptions()), self.start_timeout)
        return True

    def transcribe(
        self, model_path: Path, threads: int, audio: npt.NDArray[np.float32], options: DecodeOptions, timeout: float
    ) -> EngineResult:
        """Run one request; raises WorkerCrashed (worker restarted) or EngineError."""
        reply = self._request(model_path, threads, audio, asdict(options), timeout)
        return EngineResult([_segment(s) for s in reply[1]], reply[2])

    def transcribe_batch(
        self, model_path: Path, threads: int, audios: list[npt.NDArray[np.float32]], options: list[DecodeOptions],
        timeout: float,
    ) -> list[EngineResult]:  # fmt: skip
        """Several pieces in one request (the CTranslate2 engine decodes them together); errors as `transcribe`."""
        reply = self._request(model_path, threads, audios, [asdict(o) for o in options], timeout)
        return [EngineResult([_segment(s) for s in segs], lang) for segs, lang in zip(reply[1], reply[2], strict=True)]

    def _request(self, model_path: Path, threads: int, audio: Any, options: Any, timeout: float) -> tuple[Any, ...]:
        self.start()
        assert self._conn is not None
        self.busy = True
        try:
            self._conn.send(("transcribe", str(model_path), threads, audio, options))
            # The first request of a worker also starts Python and loads the model.
            if not self._conn.poll(timeout + (self.start_timeout if self._fresh else 0)):
                self._kill()
                self.restarts += 1
                raise WorkerCrashed(f"the speech engine did not answer within {timeout:.0f} s")
            reply = self._conn.recv()
            self._fresh = False
        except (EOFError, OSError, BrokenPipeError) as e:
            code = self._proc.exitcode if self._proc is not None else None
            self._kill()
            self.restarts += 1
            raise WorkerCrashed(f"the speech engine stopped (exit code {code}): {e or 'no reply'}") from e
        finally:
            self.busy = False
        if reply[0] == "error":
            self._loaded = None
            raise EngineError(reply[1])
        self._loaded = (model_path, threads)
        self._check_memory()
        return tuple(reply)

    def rss_mb(self) -> float | None:
        """The worker's resident memory in MB (Linux), or None."""
        return rss_mb(self.pid)

    def _check_memory(self) -> None:
        """Between requests (the answer is already in hand): a worker grown past the cap is stopped; the next
        request starts a fresh one."""
        rss = self.rss_mb() if self.max_rss_mb else None
        if rss is not None and rss > self.max_rss_mb:
            log.warning("speech engine uses %.0f MB (cap %.0f MB): restarting it", rss, self.max_rss_mb)
            self.memory_restarts += 1
            self.close()

    def close(self) -> None:
        """Stop the worker; safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                self._conn.send(("stop",))
        if self._proc is not None:
            self._proc.join(5)
        self._kill()


def default_threads(setting: int) -> int:
    return setting or os.cpu_count() or 1
