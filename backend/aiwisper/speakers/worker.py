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
from typing import Any

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
    from aiwisper.speakers.diarize import diarize_voices, voice_of, voice_of_range
    from aiwisper.speakers.segmentation import Segmenter

    os.nice(10)  # background work, as the notes are: live transcription comes first
    segmenter, embedder = Segmenter(Path(segmentation_path), threads), Embedder(Path(embedding_path), threads)
    for msg in incoming(conn):
        kind, wav, channel, speakers = msg
        try:
            if kind == "ranges":  # a growing recording: only the ranges asked for are read
                vectors = [
                    voice_of_range(read_range(Path(wav), channel, a * 16, b * 16), embedder) for a, b in speakers
                ]
                conn.send(("ok", [None if v is None else v.tolist() for v in vectors]))
                continue
            audio = read_range(Path(wav), channel, 0, Path(wav).stat().st_size).astype(np.float32)
            if kind == "voice":
                vector = voice_of(audio, segmenter, embedder)
                conn.send(("ok", None if vector is None else vector.tolist()))
                continue
            turns, voices = diarize_voices(audio, segmenter, embedder, speakers)
            conn.send(("ok", ([(t.start_ms, t.end_ms, t.speaker) for t in turns],
                              {k: v.tolist() for k, v in voices.items()})))  # fmt: skip
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
        return self.diarize_voices(wav, channel, speakers, timeout)[0]

    def diarize_voices(
        self, wav: Path, channel: int = 0, speakers: int | None = None, timeout: float = 600.0
    ) -> tuple[list[Turn], dict[int, list[float]]]:
        """Speaker turns of one channel of a session's WAV, and each speaker's voice (a unit vector)."""
        turns, voices = self._ask(("diarize", str(wav), channel, speakers), timeout)
        return [Turn(*t) for t in turns], {int(k): v for k, v in voices.items()}

    def voice(self, wav: Path, channel: int, timeout: float = 600.0) -> list[float] | None:
        """The voice of everything said on one channel (a call's microphone: the user), None without speech."""
        vector: list[float] | None = self._ask(("voice", str(wav), channel, None), timeout)
        return vector

    def voices_of(
        self, wav: Path, channel: int, ranges: list[tuple[int, int]], timeout: float = 120.0
    ) -> list[list[float] | None]:
        """The voice in each (start ms, end ms) range of one channel (None where it is too short to tell)."""
        vectors: list[list[float] | None] = self._ask(("ranges", str(wav), channel, ranges), timeout)
        return vectors

    def _ask(self, request: tuple[str, str, int, Any], timeout: float) -> Any:
        conn = self.connection()
        try:
            conn.send(request)
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
        return reply[1]
