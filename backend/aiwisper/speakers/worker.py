"""Diarization in a worker process: a crash, a hang or runaway memory there never takes the app with it.

`DiarizationWorker` is owned by one thread. The process keeps its models between requests and is stopped
after a request that left it above the memory cap; a dead or hung process fails the request with
`DiarizationFailed` and the next request starts a fresh one.
"""

from __future__ import annotations

import logging
import os
from multiprocessing.connection import Connection
from pathlib import Path

from aiwisper.errors import AiwisperError
from aiwisper.procs import WorkerProcess, incoming
from aiwisper.speakers.diarize import Turn

log = logging.getLogger(__name__)


class DiarizationFailed(AiwisperError):
    """Diarization could not finish (the worker failed, stopped or took too long)."""


def _serve(conn: Connection, segmentation_path: str, embedding_path: str, threads: int) -> None:
    import numpy as np

    from aiwisper.sessions.audio import read_range
    from aiwisper.speakers.campplus import Embedder
    from aiwisper.speakers.diarize import diarize
    from aiwisper.speakers.segmentation import Segmenter

    os.nice(10)  # background work, as the notes are: live transcription comes first
    segmenter, embedder = Segmenter(Path(segmentation_path), threads), Embedder(Path(embedding_path), threads)
    for msg in incoming(conn):
        _, wav, channel, speakers = msg
        try:
            audio = read_range(Path(wav), channel, 0, Path(wav).stat().st_size).astype(np.float32)
            turns = diarize(audio, segmenter, embedder, speakers)
            conn.send(("ok", [(t.start_ms, t.end_ms, t.speaker) for t in turns]))
        except Exception as e:
            conn.send(("error", f"{type(e).__name__}: {e}"))


class DiarizationWorker(WorkerProcess):
    """Parent side; not thread-safe except `abort()`."""

    def __init__(self, models: tuple[Path, Path], threads: int = 2, max_rss_mb: float = 0.0) -> None:
        """`models`: the segmentation and the embedding model's files."""
        for path in models:
            if not path.is_file():
                raise AiwisperError(f"{path.name} is missing (run: aiwisper models build)")
        super().__init__(_serve, (str(models[0]), str(models[1]), threads), "aiwisper-speakers")
        self.max_rss_mb = max_rss_mb

    def diarize(self, wav: Path, channel: int = 0, speakers: int | None = None, timeout: float = 600.0) -> list[Turn]:
        """Speaker turns of one channel of a session's WAV."""
        conn = self.connection()
        try:
            conn.send(("diarize", str(wav), channel, speakers))
            if not conn.poll(timeout):
                self._kill()
                raise DiarizationFailed(f"diarization did not finish within {timeout:.0f} s")
            reply = conn.recv()
        except (EOFError, OSError) as e:
            code = self.exitcode
            self._kill()
            raise DiarizationFailed(f"the diarization worker stopped (exit code {code})") from e
        if reply[0] == "error":
            raise DiarizationFailed(reply[1])
        rss = self.rss_mb()
        if self.max_rss_mb and rss is not None and rss > self.max_rss_mb:
            log.warning("diarization worker uses %.0f MB (cap %.0f MB): restarting it", rss, self.max_rss_mb)
            self.close()
        return [Turn(*t) for t in reply[1]]
