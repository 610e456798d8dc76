"""The engine worker process: killed or hung mid-chunk, it is restarted and the chunk retried."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np

from aiwisper.events import ChunkCreated
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import store
from aiwisper.sessions.recorder import RecordConfig

from .pipeline import SR, Replay, app, speech_with_pauses
from .recording import read_wav
from .speech import wer


def _kill_when_busy(svc: object, sig: int, created: threading.Event, timeout: float = 30) -> int:
    """Wait for a chunk to be handed to the worker, then signal the worker; returns its pid."""
    worker = svc.transcriber.worker  # type: ignore[attr-defined]
    assert created.wait(timeout)
    deadline = time.monotonic() + timeout
    while not (worker.busy and worker.pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, sig)
    return int(pid)


def test_killed_worker_is_restarted_and_the_chunk_retried(tmp_path: Path, registry: ModelRegistry) -> None:
    audio, _, reference = speech_with_pauses(clips=2)
    # Unpaced: chunks close faster than they are transcribed, so the worker is busy with a chunk's final when it
    # is killed (at real-time pace a final may already be computed while the closing silence is heard).
    factory = Replay(audio, speed=0)
    with app(tmp_path, registry, factory) as (svc, _):
        assert svc.transcriber is not None
        created = threading.Event()
        svc.bus.subscribe(lambda e: created.set() if isinstance(e, ChunkCreated) and e.chunk_id == 2 else None)
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0"))
        t0 = time.monotonic()
        killed = _kill_when_busy(svc, signal.SIGKILL, created)
        assert factory.sources[0].finished.wait(120)
        recorded_for = time.monotonic() - t0
        svc.recorder.stop()
        assert svc.transcriber.wait_idle(120)
        chunks = svc.db.read(lambda c: store.chunks_of(c, session.id))
        segments = svc.db.read(lambda c: store.segments_of(c, session.id))
        assert svc.transcriber.worker.pid != killed and svc.transcriber.worker.restarts == 1
    # Nothing lost: every chunk transcribed, one of them on its second attempt, the text complete.
    assert all(c.status == "done" for c in chunks)
    assert [c.attempts for c in chunks].count(1) == 1
    assert wer([reference], [" ".join(s.text for s in segments)]) <= 0.10
    # Recording went on: the WAV holds all the replayed audio, gap-free.
    wav, _ = read_wav(tmp_path / session.audio_file)
    assert wav.shape[0] >= recorded_for * SR - SR
    assert np.max(np.abs(wav[: len(audio), 0] - audio[: wav.shape[0]])) <= 2 / 32768


def test_hung_worker_is_killed_by_the_watchdog(tmp_path: Path, registry: ModelRegistry) -> None:
    audio, _, reference = speech_with_pauses(clips=0)
    factory = Replay(audio, speed=0)
    with app(tmp_path, registry, factory) as (svc, _):
        assert svc.transcriber is not None
        svc.transcriber.chunks.decoding.timeout_base = 4.0  # instead of a minute, for the test
        svc.transcriber.worker.start_timeout = 4.0
        created = threading.Event()
        svc.bus.subscribe(lambda e: created.set() if isinstance(e, ChunkCreated) else None)
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0"))
        pid = _kill_when_busy(svc, signal.SIGSTOP, created)
        assert factory.sources[0].finished.wait(60)
        svc.recorder.stop()
        assert svc.transcriber.wait_idle(120)
        chunks = svc.db.read(lambda c: store.chunks_of(c, session.id))
        text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, session.id)))
        assert svc.transcriber.worker.restarts >= 1
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)  # normally the watchdog killed it already
    assert all(c.status == "done" for c in chunks) and wer([reference], [text]) <= 0.10


def test_worker_grown_past_its_memory_cap_is_restarted_between_chunks(tmp_path: Path, registry: ModelRegistry) -> None:
    """A cap below what the engine needs: the worker is restarted after every chunk, and no chunk is lost."""
    from aiwisper.settings import Settings

    audio, _, reference = speech_with_pauses(clips=2)
    settings = Settings({"transcription.worker_memory_mb": 50})
    factory = Replay(audio, speed=0)
    with app(tmp_path, registry, factory, settings=settings) as (svc, _):
        assert svc.transcriber is not None
        worker = svc.transcriber.worker
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0"))
        assert factory.sources[0].finished.wait(120)
        svc.recorder.stop()
        assert svc.transcriber.wait_idle(300)
        chunks = svc.db.read(lambda c: store.chunks_of(c, session.id))
        text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, session.id)))
        restarts, crashes = worker.memory_restarts, worker.restarts
    assert len(chunks) >= 3 and all(c.status == "done" and c.attempts == 0 for c in chunks)
    assert restarts >= len(chunks) and crashes == 0
    assert wer([reference], [text]) <= 0.1, text


def test_worker_started_ahead_is_the_one_that_transcribes_and_closes_with_the_services(
    tmp_path: Path, registry: ModelRegistry
) -> None:
    """`aiwisper transcribe` starts the engine's process before its own imports; the services adopt that very
    process (no second one), transcribe with it, and stop it on close."""
    from aiwisper.asr.worker import EngineWorker
    from aiwisper.services import Services
    from aiwisper.settings import Settings

    from .speech import JFK_WAV, jfk_text

    worker = EngineWorker()
    worker.start()
    worker.start()  # idempotent: still one process
    pid = worker.pid
    assert pid is not None and _alive(pid)
    svc = Services(tmp_path, Settings(), registry=registry, speakers=False, background_index=False,
                   engine_worker=worker)  # fmt: skip
    try:
        assert svc.transcriber is not None and svc.transcriber.worker is worker
        (job,) = svc.transcriber.import_files([JFK_WAV], "tiny.en-q8_0", "en")
        deadline = time.monotonic() + 120
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.state == "done" and job.session_id is not None
        sid = job.session_id
        text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, sid)))
        assert worker.pid == pid and worker.restarts == 0
    finally:
        svc.close()
    assert wer([jfk_text()], [text]) <= 0.1, text
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    svc.close()  # idempotent


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"  # a zombie has stopped
    return True
