"""Every command through the HTTP fallback (the same registry the desktop bridge uses), with its errors."""

from __future__ import annotations

import base64
import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from aiwisper.api.bridge import make_js_api
from aiwisper.models.registry import ModelRegistry

from .api_client import Client, running
from .pipeline import Replay
from .speech import JFK_WAV, jfk_text, normalize


def _wait_jobs(client: Client, timeout: float = 120) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = client.ok("jobs.list")
        pending = client.ok("sessions.list")["sessions"]
        if all(j["state"] in ("done", "failed", "cancelled") for j in jobs) and not any(
            s["pending_chunks"] for s in pending
        ):
            return list(jobs)
        time.sleep(0.2)
    raise AssertionError("jobs did not finish")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, registry: ModelRegistry):  # type: ignore[no-untyped-def]
    """A running server with JFK imported and transcribed."""
    from aiwisper.audio.wav_read import read_wav_16k

    data = tmp_path_factory.mktemp("api")
    with running(data, registry, Replay(read_wav_16k(JFK_WAV), speed=1.0, loop=True)) as (client, services):
        queued = client.ok("files.import", paths=[str(JFK_WAV)], model="tiny.en-q8_0", language="en")
        done = {j["job_id"]: j for j in _wait_jobs(client)}[queued[0]["job_id"]]
        assert done["state"] == "done"
        yield client, services, done["session_id"]


def test_app_info_models_and_settings(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = imported
    info = client.ok("app.info")
    assert info["version"] and info["model"] == "tiny.en-q8_0" and info["warnings"] == []
    models = {m["name"]: m for m in client.ok("models.list")}
    assert {"tiny.en", "tiny.en-q8_0", "base", "base-q8_0"} <= set(models)
    assert client.ok("models.set_default", name="base-q8_0") == {"default": "base-q8_0"}
    assert [m["name"] for m in client.ok("models.list") if m["default"]] == ["base-q8_0"]
    assert "no model named" in client.error("models.set_default", "not_found", name="large-v9")
    client.ok("models.set_default", name="")
    settings = {s["name"]: s for s in client.ok("settings.get")}
    assert settings["vad.min_silence_ms"]["value"] == 300 and settings["vad.min_silence_ms"]["help"]
    assert client.ok("settings.set", name="vad.min_silence_ms", value=500)["value"] == 500
    assert "between" in client.error("settings.set", "invalid_argument", name="vad.min_silence_ms", value=1)
    assert "unknown setting" in client.error("settings.set", "invalid_argument", name="nope", value=1)
    client.ok("settings.set", name="vad.min_silence_ms", value=300)


def test_models_import(imported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: ModelRegistry) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = imported
    monkeypatch.setenv("AIWISPER_MODELS_DIR", str(tmp_path / "models"))
    rec = client.ok("models.import", path=str(registry.get("tiny.en-q8_0").path), name="copy")
    assert rec["name"] == "copy" and rec["weight_type"] == "q8_0"
    assert "wrong magic" in client.error("models.import", "invalid_argument", path=str(JFK_WAV))
    assert "does not exist" in client.error("models.import", "invalid_argument", path=str(tmp_path / "x.bin"))
    # a GGUF language model for summaries: header checked, copied, made the summaries' model
    from aiwisper.summaries.gguf import FILE

    gguf = next(f / FILE for f in registry.folders if (f / FILE).is_file())
    fake = tmp_path / "notes.gguf"
    fake.write_bytes(b"GGML" + bytes(100))
    assert "not a GGUF language model" in client.error("summaries.import_model", "invalid_argument", path=str(fake))
    assert client.ok("summaries.import_model", path=str(gguf)) == {"name": "summaries.model", "value": FILE}
    assert (tmp_path / "models" / FILE).read_bytes()[:4] == b"GGUF"
    client.ok("settings.set", name="summaries.model", value="")


def test_sessions_get_list_search_rename_edit_export(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, sid = imported
    session = client.ok("sessions.get", session_id=sid)
    assert session["status"] == "done" and session["kind"] == "import"
    assert normalize(" ".join(s["text"] for s in session["segments"])) == normalize(jfk_text())
    listed = client.ok("sessions.list", query="country", limit=10)
    assert listed["total"] == 1 and listed["sessions"][0]["id"] == sid
    assert client.ok("sessions.list", query="zebra")["total"] == 0
    assert client.ok("sessions.list", query='"unbalanced AND (')["total"] == 0  # FTS syntax never leaks through
    hits = client.ok("search", query="fellow americ")
    assert hits and hits[0]["session_id"] == sid and "[fellow]" in hits[0]["snippet"].lower()
    assert hits[0]["start_ms"] >= 0

    assert client.ok("sessions.rename", session_id=sid, title="  Inaugural   address ")["title"] == "Inaugural address"
    assert "1 to 200" in client.error("sessions.rename", "invalid_argument", session_id=sid, title="   ")

    seg = next(s for s in session["segments"] if "fellow" in s["text"])
    corrected = seg["text"].replace("fellow", "dear fellow")  # (however the engine cut the speech into segments)
    edited = client.ok("segments.edit", segment_id=seg["id"], text=corrected)
    assert edited["text"] == corrected and edited["original_text"] == seg["text"]
    assert client.ok("search", query="my dear fellow")  # the index follows the correction
    client.error("segments.edit", "not_found", segment_id=999999, text="x")
    client.error("segments.edit", "invalid_argument", segment_id=seg["id"], text="")

    for fmt in ("txt", "srt", "vtt", "json", "md"):
        out = client.ok("sessions.export", session_id=sid, format=fmt)
        assert out["name"] == f"Inaugural address.{fmt}" and "dear fellow Americans" in out["text"]
    doc = client.ok("sessions.export", session_id=sid, format="docx")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(doc["base64"]))) as z:
        assert "dear fellow Americans" in z.read("word/document.xml").decode()
    client.error("sessions.export", "invalid_argument", session_id=sid, format="pdf")
    client.error("sessions.get", "not_found", session_id="../../etc/passwd")
    client.error("sessions.get", "not_found", session_id="6f1c1f42-0000-4000-8000-000000000000")


def test_memo_saved_searched_exported_and_refused_when_bad(imported) -> None:  # type: ignore[no-untyped-def]
    client, services, sid = imported
    assert client.ok("sessions.get", session_id=sid)["memo"] == {"session_id": sid, "text": "", "updated_at": None}
    memo = "Agenda: inauguration.\nDecision: quote the zeppelin line in the newsletter."
    saved = client.ok("sessions.set_memo", session_id=sid, text=memo)
    assert saved["text"] == memo and saved["updated_at"]
    assert client.ok("sessions.get", session_id=sid)["memo"]["text"] == memo
    hits = client.ok("search", query="zeppelin", mode="exact")
    assert [(h["kind"], h["session_id"]) for h in hits] == [("memo", sid)] and "[zeppelin]" in hits[0]["snippet"]
    assert client.ok("sessions.list", query="zeppelin")["total"] == 1
    assert client.ok("search", query="zeppelin", speaker="Me", mode="exact") == []  # a memo has no speaker
    for fmt in ("txt", "md", "json"):
        out = client.ok("sessions.export", session_id=sid, format=fmt)["text"]
        assert "quote the zeppelin line" in out and "fellow Americans" in out, fmt
    assert "zeppelin" not in client.ok("sessions.export", session_id=sid, format="srt")["text"]
    doc = client.ok("sessions.export", session_id=sid, format="docx")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(doc["base64"]))) as z:
        assert "quote the zeppelin line" in z.read("word/document.xml").decode()
    # stored in the SQLite file itself
    assert services.db.read(lambda c: c.execute("SELECT text FROM memos").fetchone()[0]) == memo
    too_long = client.error("sessions.set_memo", "invalid_argument", session_id=sid, text="x" * 100_001)
    assert "at most 100,000 characters, 100,001 given" in too_long
    client.error("sessions.set_memo", "not_found", session_id="6f1c1f42-0000-4000-8000-000000000000", text="x")
    client.ok("sessions.set_memo", session_id=sid, text="")
    assert client.ok("search", query="zeppelin", mode="exact") == []


def test_a_transcribed_session_is_found_by_meaning(imported) -> None:  # type: ignore[no-untyped-def]
    client, services, sid = imported
    assert services.index.wait_idle(120)  # indexed in the background after the import's transcription
    hits = client.ok("search", query="serve the nation rather than expect help from it", mode="meaning")
    assert hits and hits[0]["session_id"] == sid and (hits[0]["kind"], hits[0]["match"]) == ("segment", "meaning")
    assert "country" in hits[0]["snippet"] and hits[0]["start_ms"] >= 0 and 0.78 <= hits[0]["score"] <= 1
    hybrid = client.ok("search", query="fellow americ")
    assert hybrid[0]["match"] == "exact"
    assert "search mode" in client.error("search", "invalid_argument", query="x", mode="fuzzy")


def test_retranscribe_jobs_and_cancel(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, sid = imported
    job = client.ok("sessions.retranscribe", session_id=sid, model="base-q8_0")
    assert job["kind"] == "retranscribe" and job["state"] in ("queued", "running")
    _wait_jobs(client)
    assert [j["state"] for j in client.ok("jobs.list") if j["job_id"] == job["job_id"]] == ["done"]
    client.error("sessions.retranscribe", "not_found", session_id=sid, chunk_ids=[424242])
    client.error("sessions.retranscribe", "invalid_argument", session_id=sid, language="xx")
    client.error("jobs.cancel", "not_found", job_id="nope")
    client.error("files.import", "invalid_argument", paths=[])
    bad = client.ok("files.import", paths=["/no/such/file.wav"])
    _wait_jobs(client)
    failed = [j for j in client.ok("jobs.list") if j["job_id"] == bad[0]["job_id"]]
    assert failed[0]["state"] == "failed" and "no such file" in failed[0]["error"]


def test_record_start_stop_and_delete(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = imported
    client.error("sessions.stop", "invalid_argument")
    started = client.ok("sessions.start", title="Call", model="tiny.en-q8_0", language="en")
    assert started["status"] == "recording" and started["title"] == "Call"
    assert "already running" in client.error("sessions.start", "busy")
    assert client.error("sessions.delete", "busy", session_id=started["id"])
    time.sleep(2)
    stopped = client.ok("sessions.stop")
    assert stopped["stored_status"] == "done" and stopped["duration_ms"] >= 1500
    _wait_jobs(client)
    assert client.ok("sessions.delete", session_id=started["id"]) == {"deleted": started["id"]}
    client.error("sessions.get", "not_found", session_id=started["id"])
    client.error("sessions.delete", "not_found", session_id=started["id"])
    client.error("sessions.start", "invalid_argument", language="klingon")
    client.error("sessions.start", "not_found", model="nope")


def test_parameters_are_checked_before_anything_runs(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = imported
    assert "unknown command" in client.error("sessions.explode", "invalid_argument")
    assert "needs the parameter 'session_id'" in client.error("sessions.get", "invalid_argument")
    assert "must be text" in client.error("sessions.get", "invalid_argument", session_id=5)
    assert "whole number" in client.error("sessions.list", "invalid_argument", limit="10")
    assert "whole number" in client.error("sessions.list", "invalid_argument", limit=True)
    assert "no parameter 'sudo'" in client.error("sessions.list", "invalid_argument", sudo=True)
    assert "one of" in client.error("sessions.export", "invalid_argument", session_id="x", format="exe")


def test_devices_list(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = imported
    devices = client.ok("devices.list")
    assert isinstance(devices, list) and all({"id", "name", "host_api", "is_monitor"} <= set(d) for d in devices)


def test_the_desktop_bridge_exposes_the_same_registry(imported) -> None:  # type: ignore[no-untyped-def]
    client, _, sid = imported
    registry = client.server.app.extensions["aiwisper"]["registry"]
    api = make_js_api(registry)
    assert api.sessions.get({"session_id": sid})["result"]["id"] == sid
    assert api.search({"query": "country"})["result"]
    assert api.sessions.get({})["error"]["code"] == "invalid_argument"
    names = {f"{ns}.{m}" for ns in dir(api) if not ns.startswith("_") for m in dir(getattr(api, ns))
             if not m.startswith("_") and not callable(getattr(api, ns))}  # fmt: skip
    assert names <= set(registry.commands)


def test_generated_typescript_types_are_current() -> None:
    from aiwisper.api.typescript import TARGET, generate

    assert TARGET.read_text() == generate(), "run: python -m aiwisper.api.typescript"


def test_upload_in_browser_mode(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import requests

    client, _, _ = imported
    copy = tmp_path / "speech.wav"
    shutil.copy(JFK_WAV, copy)
    with copy.open("rb") as f:
        r = requests.post(f"{client.base}/api/files", files={"file": ("speech.wav", f)}, headers=client.headers,
                          timeout=30)  # fmt: skip
    assert r.status_code == 200 and r.json()["result"][0]["title"] == "speech.wav"
    _wait_jobs(client)
    assert client.ok("sessions.list", query="speech.wav")["total"] == 1
