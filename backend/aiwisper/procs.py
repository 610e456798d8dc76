"""Helpers for the app's worker processes (speech engine, speakers, summaries)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)


def rss_mb(pid: int | None) -> float | None:
    """A process's resident memory in MB (Linux), or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:")), None)
    except OSError:
        return None


@dataclass(frozen=True)
class Stop:
    """The parent's last message to a worker process: end the loop."""


@dataclass(frozen=True)
class Failed:
    """A worker's reply: the request failed (the worker goes on)."""

    error: str


class WorkerGone(Exception):
    """The worker process ended (crashed, or was killed) before it replied; `timed_out`: it was killed for staying
    silent past the request's time limit."""

    def __init__(self, exitcode: int | None, timed_out: bool = False) -> None:
        super().__init__(f"timed out (exit code {exitcode})" if timed_out else f"exit code {exitcode}")
        self.exitcode, self.timed_out = exitcode, timed_out


def incoming(conn: Connection) -> Iterator[Any]:
    """The worker side: the parent's requests, until it sends `Stop()` or is gone."""
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if isinstance(msg, Stop):
            return
        yield msg


def _orphan_guard(parent: int) -> None:
    """The worker ends when the app does, even when the app was killed (a summary or a transcription would
    otherwise go on spinning both cores for minutes): Linux kills it with the parent (PR_SET_PDEATHSIG); elsewhere
    a thread looks for the parent every second."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1: PR_SET_PDEATHSIG
                if os.getppid() != parent:  # it died before the guard was set
                    os._exit(1)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="aiwisper-orphan-guard", daemon=True).start()


def _guarded(parent: int, target: Callable[..., None], *args: Any) -> None:
    _orphan_guard(parent)
    target(*args)


def kill(proc: Any, conn: Connection | None) -> None:
    """Kill a worker process if it still runs, reap it and close its pipe."""
    if proc is not None:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if conn is not None:
        conn.close()


class WorkerProcess:
    """Parent side of a spawned worker process that keeps its models between requests: started on first use
    (and again after it died), killed by `abort()` from any thread, stopped by `close()`. Otherwise owned by one
    thread. `target(conn, *args)` serves requests until it receives `Stop()`. `fresh` is set when a process
    starts (its first request also loads its models); the owner clears it."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> None:
        self._target, self._args, self._name = target, args, name
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None
        self.fresh = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def exitcode(self) -> int | None:
        return self._proc.exitcode if self._proc is not None else None

    def connection(self) -> Connection:
        """The pipe to the process, started if it is not running."""
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(target=_guarded, args=(os.getpid(), self._target, child, *self._args),
                                           name=self._name, daemon=True)  # fmt: skip
            self._proc.start()
            child.close()
            self._conn = parent
            self.fresh = True
        assert self._conn is not None
        return self._conn

    def replies(self, request: object, timeout: float | None = None) -> Iterator[Any]:
        """Send `request` (the process started if need be) and yield the replies as they come; the caller stops
        after its last one. A process that ends first, or stays silent for `timeout` s (then killed), raises
        WorkerGone; the next request starts a new one."""
        conn = self.connection()
        try:
            conn.send(request)
            while True:
                if timeout is not None and not conn.poll(timeout):
                    self._kill()
                    raise WorkerGone(None, timed_out=True)
                yield conn.recv()
        except (EOFError, OSError) as e:
            code = self.exitcode
            self._kill()
            raise WorkerGone(code) from e

    def reply(self, request: object, timeout: float | None = None) -> Any:
        """The one reply to `request`; errors as `replies`."""
        return next(self.replies(request, timeout))

    def restart_if_over(self, cap_mb: float) -> bool:
        """Between requests (the answer in hand): a process grown past `cap_mb` (0: no cap) is stopped; the next
        request starts a fresh one. Whether it was."""
        rss = self.rss_mb() if cap_mb else None
        if rss is None or rss <= cap_mb:
            return False
        log.warning("%s uses %.0f MB (cap %.0f MB): restarting it", self._name, rss, cap_mb)
        self.close()
        return True

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def rss_mb(self) -> float | None:
        return rss_mb(self.pid)

    def abort(self) -> None:
        """From any thread: kill the process, so that a request in flight fails now (the owner then closes)."""
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.kill()

    def _kill(self) -> None:
        kill(self._proc, self._conn)
        self._proc = self._conn = None

    def close(self) -> None:
        """Stop the worker; safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(Stop())
        if self._proc is not None:
            self._proc.join(5)
        self._kill()
