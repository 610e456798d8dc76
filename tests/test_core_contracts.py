"""Contracts of the core: a failing listener cannot hold up Stop; a session's first event is its start; logs."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.events import Event, SessionStopped
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions.recorder import RecordConfig

from .api_client import receive, running
from .pipeline import Replay, app
from .speech import JFK_WAV


def test_a_listener_that_raises_during_stop_does_not_delay_stop(tmp_path: Path, registry: ModelRegistry) -> None:
    def broken(event: Event) -> None:
        if isinstance(event, SessionStopped):
            raise RuntimeError("a listener with a bug")

    with app(tmp_path, registry, Replay(read_wav_16k(JFK_WAV), loop=True)) as (svc, rec):
        svc.bus.subscribe(broken)
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0", transcribe=False))
        time.sleep(1.0)
        t = time.monotonic()
        stopped = svc.recorder.stop()
        took = time.monotonic() - t
        assert stopped.status == "done" and svc.recorder.state.value == "idle"
        # The other listeners were still served.
        assert [e.session_id for _, e in rec.of("session_stopped") if isinstance(e, SessionStopped)] == [session.id]
    assert took < 5.0, took


def test_the_first_event_of_every_recording_is_session_started(tmp_path: Path, registry: ModelRegistry) -> None:
    """Twenty short recordings, each watched on the real server's WebSocket from before its start."""
    audio = np.concatenate([read_wav_16k(JFK_WAV)[: 16000 * 2]] * 2)
    with running(tmp_path, registry, Replay(audio, speed=1.0, loop=True)) as (client, _):
        ws = client.ws()
        first = receive(ws, 5.0)
        assert first is not None and first["type"] == "snapshot"
        for _ in range(20):
            session = client.ok("sessions.start", model="tiny.en-q8_0", language="en", transcribe=False)
            time.sleep(0.15)
            client.ok("sessions.stop")
            events: list[dict[str, object]] = []
            while not any(e["type"] == "session_stopped" for e in events):
                e = receive(ws, 10.0)
                assert e is not None, events
                events.append(e)
            mine = [e for e in events if e.get("session_id") == session["id"]]
            assert mine[0]["type"] == "session_started", [e["type"] for e in mine]
        ws.close()


def test_an_unexpected_failure_is_logged_with_its_traceback(tmp_path: Path) -> None:
    """The log file a user attaches to a bug report holds the traceback of a failing listener."""
    from aiwisper.events import EventBus, Warning
    from aiwisper.logs import setup_logging

    path = setup_logging(tmp_path)
    assert path is not None
    bus = EventBus()
    served: list[Event] = []
    bus.subscribe(lambda e: 1 / 0)
    bus.subscribe(served.append)
    bus.publish(Warning(None, "test", "secret words of a transcript"))
    text = path.read_text()
    assert "ZeroDivisionError" in text and "Traceback" in text and len(served) == 1
    assert "secret words" not in text
    import threading

    dying = threading.Thread(target=lambda: [][1], name="aiwisper-test-dying")  # nobody catches this
    dying.start()
    dying.join()
    text = path.read_text()
    assert "thread aiwisper-test-dying died" in text and "IndexError" in text, text
