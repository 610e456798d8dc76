"""Summaries in a worker process: the language model's crash, hang or memory never takes the app with it.

`SummaryWorker` is owned by one thread; `abort()` (any thread) kills the process, which cancels the request in
flight. The process keeps its model loaded between requests.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiwisper.errors import AiwisperError
from aiwisper.procs import WorkerProcess, incoming


class SummaryFailed(AiwisperError):
    """The summary could not be made (the model failed, or the worker stopped)."""


class Cancelled(AiwisperError):
    """The summary was cancelled."""

    code = "cancelled"


def _run(conn: Connection, llm: Any, lines: list[str], name: str, prompt: str) -> None:
    from aiwisper.summaries.llm import ANSWER
    from aiwisper.summaries.mapreduce import Budget, summarize
    from aiwisper.summaries.templates import template

    stage = [""]

    def ask(instruction: str, text: str, where: str) -> str:
        stage[0] = where
        return str(llm.chat(instruction, text, lambda t: conn.send(("token", t, stage[0]))))

    text = summarize(lines, template(name, prompt), Budget(llm.context, ANSWER), llm.count, ask,
                     lambda f: conn.send(("progress", f)))  # fmt: skip
    conn.send(("done", text.strip(), llm.name))


def _serve(conn: Connection, threads: int) -> None:
    from aiwisper.summaries.llm import LlamaCpp, OpenAICompatible

    loaded: dict[str, Any] = {}
    for msg in incoming(conn):
        _, backend, lines, name, prompt = msg
        try:
            if backend["kind"] == "gguf":
                if loaded.get("path") != backend["path"]:
                    loaded.clear()
                    loaded.update(path=backend["path"], llm=LlamaCpp(Path(backend["path"]), threads))
                llm = loaded["llm"]
            else:
                llm = OpenAICompatible(backend["endpoint"], backend.get("model", ""))
            _run(conn, llm, lines, name, prompt)
        except Exception as e:
            conn.send(("error", str(e) if isinstance(e, AiwisperError) else f"{type(e).__name__}: {e}"))


class SummaryWorker(WorkerProcess):
    """Parent side; not thread-safe except `abort()`."""

    def __init__(self, threads: int = 2) -> None:
        super().__init__(_serve, (threads,), "aiwisper-summary")
        self._aborted = False

    def summarize(self, backend: dict[str, str], lines: list[str], template: str, prompt: str,
                  on_token: Callable[[str, str], None],
                  on_progress: Callable[[float], None]) -> tuple[str, str]:  # fmt: skip
        """(text, model name) of the summary; tokens and progress are reported as they come."""
        self._aborted = False
        conn = self.connection()
        try:
            conn.send(("summarize", backend, lines, template, prompt))
            while True:
                reply = conn.recv()
                if reply[0] == "token":
                    on_token(reply[1], reply[2])
                elif reply[0] == "progress":
                    on_progress(reply[1])
                elif reply[0] == "done":
                    return reply[1], reply[2]
                else:
                    raise SummaryFailed(reply[1])
        except (EOFError, OSError) as e:
            code = self.exitcode
            self._kill()
            if self._aborted:
                raise Cancelled("cancelled") from e
            raise SummaryFailed(f"the summary worker stopped (exit code {code})") from e

    def abort(self) -> None:
        """From any thread: stop the request in flight now (the process is killed)."""
        self._aborted = True
        super().abort()
