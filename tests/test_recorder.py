"""The recorder in process, with replayed speech through the real VAD, WAV writer and SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.events import Event
from aiwisper.models.registry import ModelRegistry
from aiwisper.segmenter import Segmenter, VadOptions
from aiwisper.services import Services
from aiwisper.sessions import store
from aiwisper.sessions.recorder import BusyError, RecordConfig, State
from aiwisper.settings import Settings
from aiwisper.vad import SileroVad

from .pipeline import Replay
from .recording import read_wav
from .speech import JFK_WAV

SR = 16000


@pytest.fixture
def jfk() -> np.ndarray:
    return read_wav_16k(JFK_WAV)


@contextmanager
def services(tmp_path: Path, registry: ModelRegistry, factory: Replay) -> Iterator[tuple[Services, list[Event]]]:
    svc = Services(tmp_path, Settings(), source_factory=factory, registry=registry)
    events: list[Event] = []
    svc.bus.subscribe(events.append)
    try:
        yield svc, events
    finally:
        svc.close()


def test_stop_drains_every_chunk_and_sample(tmp_path: Path, registry: ModelRegistry, jfk: np.ndarray) -> None:
    factory = Replay(jfk, speed=0)
    with services(tmp_path, registry, factory) as (svc, events):
        received: list[store.ChunkRow] = []
        svc.recorder.chunk_listeners.append(received.append)
        session = svc.recorder.start(RecordConfig(title="jfk"))
        assert svc.recorder.state is State.RECORDING
        assert factory.sources[0].finished.wait(30)
        done = svc.recorder.stop()
        assert svc.recorder.state is State.IDLE
        assert done.status == "done" and done.title == "jfk"

        audio, _ = read_wav(tmp_path / session.audio_file)
        assert audio.shape == (len(jfk), 1)
        assert np.max(np.abs(audio[:, 0] - jfk)) <= 1 / 32768 + 1e-6
        # The same chunks as the segmenter finds in the whole clip offline.
        seg = Segmenter(SileroVad(registry.vad_path()), VadOptions())
        offline = seg.push(jfk) + seg.finish()
        chunks = svc.db.read(lambda c: store.chunks_of(c, session.id))
        assert [(c.start_sample, c.end_sample) for c in chunks] == [(c.start, c.end) for c in offline]
        assert sorted(r.id for r in received) == [c.id for c in chunks]
        assert all(c.status == "pending" for c in chunks)
        kinds = [e.type for e in events]
        assert kinds[0] == "session_started" and kinds[-1] == "session_stopped"
        assert kinds.count("chunk_created") == len(chunks)
        assert "audio_levels" in kinds


def test_second_start_is_busy_and_stop_when_idle_is_refused(
    tmp_path: Path, registry: ModelRegistry, jfk: np.ndarray
) -> None:
    with services(tmp_path, registry, Replay(jfk, loop=True, speed=1.0)) as (svc, _):
        with pytest.raises(InvalidArgumentError, match="not recording"):
            svc.recorder.stop()
        svc.recorder.start(RecordConfig())
        with pytest.raises(BusyError, match="already running"):
            svc.recorder.start(RecordConfig())
        done = svc.recorder.stop()
        assert done.status == "done" and done.duration_ms > 0
        sessions = svc.db.read(lambda c: store.list_sessions(c))
        assert len(sessions) == 1


def test_auto_stop_after_silence(tmp_path: Path, registry: ModelRegistry) -> None:
    silence = np.zeros(SR * 70, dtype=np.float32)
    factory = Replay(silence, speed=0)
    svc = Services(tmp_path, Settings({"recording.auto_stop_minutes": 1}), source_factory=factory, registry=registry)
    try:
        events: list[Event] = []
        svc.bus.subscribe(events.append)
        svc.recorder.start(RecordConfig())
        assert svc.recorder.wait(60)
        stopped = [e for e in events if e.type == "session_stopped"]
        assert stopped and stopped[0].to_dict()["reason"] == "auto_stop"
        # Stopped after a minute of silence; what the unpaced replay had queued is drained, not lost: at most two
        # queue-fulls (4 s each) beyond the minute, the one taken in the loop's last turn and the one left at Stop.
        assert 60_000 <= stopped[0].to_dict()["duration_ms"] <= 68_500
    finally:
        svc.close()


def test_record_only_keeps_chunks_out_of_the_queue(tmp_path: Path, registry: ModelRegistry, jfk: np.ndarray) -> None:
    factory = Replay(jfk, speed=0)
    with services(tmp_path, registry, factory) as (svc, _):
        got: list[store.ChunkRow] = []
        svc.recorder.chunk_listeners.append(got.append)
        s = svc.recorder.start(RecordConfig(transcribe=False))
        factory.sources[0].finished.wait(30)
        svc.recorder.stop()
        chunks = svc.db.read(lambda c: store.chunks_of(c, s.id))
        assert chunks and all(c.status == "held" for c in chunks) and got == []


def test_close_finalizes_a_running_recording(tmp_path: Path, registry: ModelRegistry, jfk: np.ndarray) -> None:
    svc = Services(tmp_path, Settings(), source_factory=Replay(jfk, loop=True, speed=1.0), registry=registry)
    s = svc.recorder.start(RecordConfig())
    threading.Event().wait(1.0)
    svc.close()
    svc.close()
    audio, _ = read_wav(tmp_path / s.audio_file)
    assert audio.shape[0] >= SR // 2
    svc2 = Services(tmp_path, Settings(), registry=registry)
    try:
        assert svc2.recover() == []
        assert svc2.db.read(lambda c: store.get_session(c, s.id)).status == "done"
    finally:
        svc2.close()


def test_unwritable_data_folder_gets_a_clear_error(tmp_path: Path, registry: ModelRegistry) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AiwisperError, match="cannot open the database"):
        Services(blocker / "data", Settings(), registry=registry)
