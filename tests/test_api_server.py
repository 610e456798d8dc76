"""The real server on loopback: the event stream, security, the audio route."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiwisper.audio.pcm import bytes_to_float
from aiwisper.errors import HTTP_STATUS
from aiwisper.models.registry import ModelRegistry

from .api_client import receive, running
from .pipeline import Replay, speech_with_pauses


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, registry: ModelRegistry):  # type: ignore[no-untyped-def]
    audio, _, _ = speech_with_pauses(pause_s=2.0, clips=1)
    with running(tmp_path_factory.mktemp("server"), registry, Replay(audio, speed=1.0, loop=True)) as (c, s):
        yield c, s


def test_event_stream_of_a_recording_in_order_and_snapshot_on_reconnect(live) -> None:  # type: ignore[no-untyped-def]
    client, _ = live
    ws = client.ws()
    first = receive(ws)
    assert first is not None and first["type"] == "snapshot" and first["recording"] is None
    session = client.ok("sessions.start", model="tiny.en-q8_0", language="en")
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(e["type"] == "chunk_transcribed" for e in events[-1:]):
        e = receive(ws)
        if e is not None:
            events.append(e)
        if sum(e["type"] == "chunk_transcribed" for e in events) >= 2:
            break
    types = [e["type"] for e in events]
    assert types[0] == "session_started"
    for kind in ("audio_levels", "chunk_created", "partial_transcript", "chunk_transcribed"):
        assert kind in types, (kind, types)
    # Each final follows its chunk's creation; every event belongs to this session.
    for e in events:
        if e["type"] == "chunk_transcribed":
            assert types.index("chunk_created") < events.index(e)
        assert e.get("session_id", session["id"]) == session["id"]
    levels = [e for e in events if e["type"] == "audio_levels"]
    assert all(set(e["levels"]["mic"]) == {"rms", "peak"} for e in levels)
    ws.close()

    again = client.ws()  # a client that reconnects first learns what is going on
    snap = receive(again)
    assert snap is not None and snap["type"] == "snapshot" and snap["recording"]["id"] == session["id"]
    assert snap["state"] == "recording"
    client.ok("sessions.stop")
    kinds = []
    for _ in range(400):
        e = receive(again, 0.5)
        if e is None:
            continue
        kinds.append(e["type"])
        if e["type"] == "session_stopped":
            break
    assert "session_stopped" in kinds
    again.close()


def test_a_slow_client_does_not_hold_back_others(live) -> None:  # type: ignore[no-untyped-def]
    client, _services = live
    hub = client.server.app.extensions["aiwisper"]["hub"]
    from aiwisper.events import AudioLevels, SessionUpdated

    slow, _ = hub.connect()  # never reads
    for i in range(100):
        hub._publish(AudioLevels("s", i, {}))
    assert slow.queue.qsize() <= 21 and slow.dropped >= 79  # levels dropped, not queued
    for _ in range(600):
        hub._publish(SessionUpdated("s", "done", 0, None))
    assert slow.closed_reason and "too far behind" in slow.closed_reason
    fast = client.ws()
    assert receive(fast)["type"] == "snapshot"  # type: ignore[index]
    fast.close()
    hub.disconnect(slow)


def test_token_host_origin(live) -> None:  # type: ignore[no-untyped-def]
    client, _ = live
    url = f"{client.base}/api/commands/app.info"
    assert requests.post(url, json={}, timeout=5).status_code == 401
    assert requests.post(url, json={}, headers={"X-AIWisper-Token": "wrong"}, timeout=5).status_code == 401
    assert requests.post(url + f"?token={client.server.token}", json={}, timeout=5).status_code == 200
    h = dict(client.headers)
    assert requests.post(url, json={}, headers={**h, "Origin": "http://evil.example"}, timeout=5).status_code == 403
    assert requests.post(url, json={}, headers={**h, "Origin": client.base}, timeout=5).status_code == 200
    assert requests.post(url, json={}, headers={**h, "Host": "evil.example"}, timeout=5).status_code == 403
    port = client.server.port
    assert requests.post(url, json={}, headers={**h, "Host": f"localhost:{port}"}, timeout=5).status_code == 200
    assert requests.get(f"{client.base}/ws", timeout=5).status_code in (401, 403)
    body = requests.post(url, json={}, timeout=5).json()
    assert body["error"]["code"] == "forbidden" and "token" in body["error"]["message"]


def test_oversized_body_and_upload(live) -> None:  # type: ignore[no-untyped-def]
    client, _ = live
    big = b'{"query": "' + b"a" * (2 << 20) + b'"}'
    r = requests.post(f"{client.base}/api/commands/search", data=big, headers=client.headers, timeout=10)
    assert r.status_code == 413
    from aiwisper.api import server

    old = client.server.app.config["MAX_CONTENT_LENGTH"]
    client.server.app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        before = set(Path(client.server.app.extensions["aiwisper"]["services"].data_dir).glob("aiwisper-upload-*"))
        r = requests.post(f"{client.base}/api/files", files={"file": ("x.wav", b"0" * 5000)}, headers=client.headers,
                          timeout=10)  # fmt: skip
        assert r.status_code == 413
        after = set(Path(client.server.app.extensions["aiwisper"]["services"].data_dir).glob("aiwisper-upload-*"))
        assert after == before  # rejected before anything was stored
    finally:
        client.server.app.config["MAX_CONTENT_LENGTH"] = old
    assert old > server.MAX_BODY


def test_traversal_never_leaves_the_data_folder(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, services = live
    for sid in ("..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..", "....//....//etc", "%2e%2e%2f%2e%2e"):
        r = requests.get(f"{client.base}/api/sessions/{sid}/audio", headers=client.headers, timeout=5)
        assert r.status_code == 404 and b"root:" not in r.content, sid
        r = requests.get(f"{client.base}/api/sessions/{sid}/export?format=txt", headers=client.headers, timeout=5)
        assert r.status_code == 404 and b"root:" not in r.content, sid
    r = requests.get(f"{client.base}/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd", timeout=5)
    assert r.status_code == 404 and b"root:" not in r.content
    # A session whose stored audio path was tampered with to point outside, or whose file is a symlink out.
    from aiwisper.sessions import store

    sessions = services.db.read(lambda c: store.list_sessions(c))
    assert sessions
    s = sessions[0]
    services.db.write(
        lambda c: c.execute("UPDATE sessions SET audio_file = '../../../etc/passwd' WHERE id = ?", (s.id,))
    )
    r = requests.get(f"{client.base}/api/sessions/{s.id}/audio", headers=client.headers, timeout=5)
    assert r.status_code == 404
    services.db.write(lambda c: c.execute("UPDATE sessions SET audio_file = ? WHERE id = ?", (s.audio_file, s.id)))
    wav = services.data_dir / s.audio_file
    keep = wav.with_suffix(".keep")
    os.replace(wav, keep)
    os.symlink("/etc/passwd", wav)
    try:
        r = requests.get(f"{client.base}/api/sessions/{s.id}/audio", headers=client.headers, timeout=5)
        assert r.status_code == 404 and b"root:" not in r.content
    finally:
        wav.unlink()
        os.replace(keep, wav)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["sessions.list", "sessions.get", "search", "settings.set", "segments.edit", "jobs.cancel",
                          "sessions.rename", "sessions.export", "sessions.retranscribe", "models.set_default", "x"]),
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30)
        | st.floats(allow_nan=False, allow_infinity=False),  # JSON has no NaN: tested with raw bodies below
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=12,
    ) | st.dictionaries(st.sampled_from(["session_id", "query", "limit", "offset", "name", "value", "text",
                                         "segment_id", "job_id", "title", "format", "chunk_ids", "start_ms"]),
                        st.none() | st.integers() | st.text(max_size=20) | st.lists(st.integers(), max_size=3)),
)  # fmt: skip
def test_fuzzed_command_bodies_never_give_a_500(live, name: str, body: object) -> None:  # type: ignore[no-untyped-def]
    client, _ = live
    r = requests.post(f"{client.base}/api/commands/{name}", json=body, headers=client.headers, timeout=10)
    assert r.status_code != 500, r.text
    out = r.json()
    assert ("result" in out) != ("error" in out)
    if "error" in out:
        assert out["error"]["code"] in ("not_found", "invalid_argument", "busy")
        assert r.status_code == HTTP_STATUS[out["error"]["code"]]
        assert "Traceback" not in out["error"]["message"]
    else:
        assert r.status_code == 200


@pytest.mark.parametrize("raw", ['{"limit": NaN}', '{"name": "vad.threshold", "value": Infinity}', "[1, 2", "\u0000"])
def test_non_finite_numbers_and_broken_json_are_refused(live, raw: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = live
    name = "settings.set" if "vad" in raw else "sessions.list"
    r = requests.post(f"{client.base}/api/commands/{name}", data=raw.encode(), headers=client.headers, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_argument", r.text


def test_audio_ranges_and_a_wav_still_recording(live) -> None:  # type: ignore[no-untyped-def]
    client, services = live
    session = client.ok("sessions.start", title="growing", model="tiny.en-q8_0")
    time.sleep(2.5)
    url = f"{client.base}/api/sessions/{session['id']}/audio"
    wav_path = services.data_dir / f"sessions/{session['id']}/audio.wav"
    full = requests.get(url, headers=client.headers, timeout=10)
    assert full.status_code == 200 and full.headers["Accept-Ranges"] == "bytes"
    # Playable while recording: the header describes the data up to the last flush.
    import io

    with wave.open(io.BytesIO(full.content)) as w:
        frames = w.getnframes()
        assert frames >= 16000 and len(w.readframes(frames)) == frames * 3  # 24-bit mono
    r = requests.get(url, headers={**client.headers, "Range": "bytes=44-1043"}, timeout=10)
    assert r.status_code == 206 and len(r.content) == 1000
    assert r.content == wav_path.read_bytes()[44:1044]
    size = int(r.headers["Content-Range"].split("/")[1])
    assert r.headers["Content-Range"] == f"bytes 44-1043/{size}"
    tail = requests.get(url, headers={**client.headers, "Range": "bytes=-100"}, timeout=10)
    assert tail.status_code == 206 and len(tail.content) == 100
    open_end = requests.get(url, headers={**client.headers, "Range": "bytes=1000-"}, timeout=10)
    assert open_end.status_code == 206 and open_end.content[:100] == wav_path.read_bytes()[1000:1100]
    bad = requests.get(url, headers={**client.headers, "Range": f"bytes={10**12}-"}, timeout=10)
    assert bad.status_code == 416 and bad.headers["Content-Range"].startswith("bytes */")
    client.ok("sessions.stop")
    final = requests.get(url, headers=client.headers, timeout=10)
    with wave.open(io.BytesIO(final.content)) as w:
        assert w.getsampwidth() == 3 and w.getnframes() == (len(final.content) - 44) // 3  # 24-bit
        data = bytes_to_float(w.readframes(w.getnframes()), 3)
    assert np.abs(data).max() > 0.03  # the replayed speech is in it
    export = requests.get(f"{client.base}/api/sessions/{session['id']}/export?format=srt", headers=client.headers,
                          timeout=10)  # fmt: skip
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert client.ok("sessions.delete", session_id=session["id"])
