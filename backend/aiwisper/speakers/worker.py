"""Diarization in a worker process: a crash, a hang or runaway memory there never takes the app with it.

`DiarizationWorker` is owned by one thread. The process keeps its models between requests and is stopped
after a request that left it above the memory cap; a dead or hung process fails the request with
`DiarizationFailed` and the next request starts a fresh one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from aiwisper.errors import AiwisperError
from aiwisper.priorities import NICE, Work, lower_to
from aiwisper.procs import Failed, WorkerGone, WorkerProcess, incoming
from aiwisper.speakers.diarize import Turn

log = logging.getLogger(__name__)


class DiarizationFailed(AiwisperError):
    """Diarization could not finish (the worker failed, stopped or took too long)."""


@dataclass(frozen=True)
class Diarize:
    """Speaker turns and voices of one channel of a WAV (`speakers`: how many, if known)."""

    wav: Path
    channel: int
    speakers: int | None = None


@dataclass(frozen=True)
class VoiceOf:
    """The voice of everything said on one channel."""

    wav: Path
    channel: int


@dataclass(frozen=True)
class VoicesOf:
    """The voice in each (start ms, end ms) range of one channel (a growing recording: only these are read)."""

    wav: Path
    channel: int
    ranges: list[tuple[int, int]]


Vector = list[float]


@dataclass(frozen=True)
class Diarized:
    turns: list[Turn]
    voices: dict[int, Vector]


@dataclass(frozen=True)
class Voices:
    vectors: list[Vector | None]  # one per range asked (or one for a whole channel); None: too short to tell


Request = Diarize | VoiceOf | VoicesOf


def _serve(conn: Connection, segmentation_path: str, embedding_path: str, threads: int, nice: int) -> None:
    import numpy as np

    from aiwisper.sessions.audio import read_range
    from aiwisper.speakers.campplus import Embedder
    from aiwisper.speakers.diarize import diarize_voices, voice_of, voice_of_range
    from aiwisper.speakers.segmentation import Segmenter

    lower_to(nice)  # background work, behind live transcription and the notes (priorities.py)
    segmenter, embedder = Segmenter(Path(segmentation_path), threads), Embedder(Path(embedding_path), threads)
    for msg in incoming(conn):
        request: Request = msg
        try:
            if isinstance(request, VoicesOf):
                ranges = [read_range(request.wav, request.channel, a * 16, b * 16) for a, b in request.ranges]
                found = [voice_of_range(audio, embedder) for audio in ranges]
                conn.send(Voices([None if v is None else v.tolist() for v in found]))
                continue
            audio = read_range(request.wav, request.channel, 0, request.wav.stat().st_size).astype(np.float32)
            if isinstance(request, VoiceOf):
                vector = voice_of(audio, segmenter, embedder)
                conn.send(Voices([None if vector is None else vector.tolist()]))
                continue
            turns, voices = diarize_voices(audio, segmenter, embedder, request.speakers)
            conn.send(Diarized(turns, {k: v.tolist() for k, v in voices.items()}))
        except Exception as e:
            conn.send(Failed(f"{type(e).__name__}: {e}"))


class DiarizationWorker(WorkerProcess):
    """Parent side; not thread-safe except `abort()`."""

    def __init__(self, models: tuple[Path, Path], threads: int = 2, max_rss_mb: float = 0.0) -> None:
        """`models`: the segmentation and the embedding model's files."""
        for path in models:
            if not path.is_file():
                raise AiwisperError(f"{path.name} is missing (run: aiwisper models build)")
        super().__init__(_serve, (str(models[0]), str(models[1]), threads, NICE[Work.SPEAKERS]), "aiwisper-speakers")
        self.max_rss_mb = max_rss_mb

    def diarize(self, wav: Path, channel: int = 0, speakers: int | None = None, timeout: float = 600.0) -> list[Turn]:
        """Speaker turns of one channel of a session's WAV."""
        return self.diarize_voices(wav, channel, speakers, timeout)[0]

    def diarize_voices(
        self, wav: Path, channel: int = 0, speakers: int | None = None, timeout: float = 600.0
    ) -> tuple[list[Turn], dict[int, list[float]]]:
        """Speaker turns of one channel of a session's WAV, and each speaker's voice (a unit vector)."""
        reply = self._ask(Diarize(wav, channel, speakers), timeout)
        assert isinstance(reply, Diarized)
        return reply.turns, reply.voices

    def voice(self, wav: Path, channel: int, timeout: float = 600.0) -> list[float] | None:
        """The voice of everything said on one channel (a call's microphone: the user), None without speech."""
        reply = self._ask(VoiceOf(wav, channel), timeout)
        assert isinstance(reply, Voices)
        return reply.vectors[0]

    def voices_of(
        self, wav: Path, channel: int, ranges: list[tuple[int, int]], timeout: float = 120.0
    ) -> list[list[float] | None]:
        """The voice in each (start ms, end ms) range of one channel (None where it is too short to tell)."""
        reply = self._ask(VoicesOf(wav, channel, ranges), timeout)
        assert isinstance(reply, Voices)
        return reply.vectors

    def _ask(self, request: Request, timeout: float) -> Diarized | Voices:
        try:
            reply: Diarized | Voices | Failed = self.reply(request, timeout)
        except WorkerGone as e:
            if e.timed_out:
                raise DiarizationFailed(f"diarization did not finish within {timeout:.0f} s") from e
            raise DiarizationFailed(f"the diarization worker stopped (exit code {e.exitcode})") from e
        if isinstance(reply, Failed):
            raise DiarizationFailed(reply.error)
        self.restart_if_over(self.max_rss_mb)
        return reply
