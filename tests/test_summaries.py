"""Summaries by the bundled language model through llama.cpp (a real GGUF, in the worker process): produced from a
real-speech session, streamed token by token, stored, cancellable mid-way, kept across a restart; transcripts
longer than the context go map → reduce (the split is pure logic, tested with a counting fake)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aiwisper.errors import InvalidArgumentError
from aiwisper.models.registry import ModelRegistry
from aiwisper.settings import Settings
from aiwisper.summaries.gguf import FILE, check_gguf
from aiwisper.summaries.mapreduce import Budget, closed_parts, pack, summarize
from aiwisper.summaries.templates import template

from .api_client import Client, receive, running
from .realspeech import DEV

CLIP = DEV / "ljspeech_LJ001-0009.wav"  # real read speech, 8 s


def words(text: str) -> int:
    return len(text.split())


def test_long_transcripts_are_cut_to_fit_then_joined() -> None:
    lines = [f"Speaker {i % 3 + 1}: we discussed item number {i} and agreed to follow up next week" for i in range(400)]
    budget = Budget(context=600, answer=100, overhead=50)
    parts = pack(lines, budget.text, words)
    assert len(parts) > 5 and all(words(p) <= budget.text + len(p.splitlines()) for p in parts)
    assert "\n".join(parts).splitlines() == lines  # nothing lost, order kept
    calls: list[tuple[str, int]] = []

    def ask(instruction: str, text: str, stage: str) -> str:
        assert words(text) <= budget.text + text.count("\n") + 1, stage
        calls.append((stage, words(text)))
        return "notes " * 60  # long notes: the reduce needs rounds too

    out = summarize(lines, template("summary"), budget, words, ask)
    assert out and calls[-1][0] == "final"
    assert sum(1 for s, _ in calls if s.startswith("part")) == len(parts)
    assert any(s == "merging" for s, _ in calls)
    single: list[str] = []
    summarize(lines[:3], template("decisions"), budget, words, lambda i, t, s: single.append(i) or "x")
    assert single == [template("decisions").whole]  # a short transcript: one call
    with pytest.raises(InvalidArgumentError, match="needs a prompt"):
        template("custom", "  ")
    with pytest.raises(InvalidArgumentError, match="unknown template"):
        template("poem")


def test_the_parts_of_a_growing_transcript_do_not_change_as_it_grows() -> None:
    lines = [f"Speaker {i % 3 + 1}: we discussed item number {i} and agreed to follow up next week" for i in range(300)]
    whole = pack(lines, 200, words)
    for n in (40, 41, 150, 299):
        early = closed_parts(lines[:n], words, 200)
        assert early == whole[: len(early)] and len(early) >= len(pack(lines[:n], 200, words)) - 1, n


def test_notes_are_written_by_themselves_when_an_import_is_transcribed(tmp_path: Path, registry: ModelRegistry) -> None:
    """With `summaries.auto` (the default for users), an imported file's notes are written after its transcript and
    speakers, without asking; a second look at the session adds none."""
    data = tmp_path / "data"
    with running(data, registry, settings=Settings({"summaries.auto": True})) as (client, _):
        client.ok("files.import", paths=[str(CLIP)], model="tiny.en-q8_0", language="en")
        deadline = time.monotonic() + 400
        listed = lambda: client.ok("sessions.list")["sessions"]  # noqa: E731
        while not (made := listed()) or not client.ok("summaries.list", session_id=made[0]["id"]):
            assert time.monotonic() < deadline, "no notes were started"
            time.sleep(0.5)
        sid = made[0]["id"]
        while (notes := client.ok("summaries.list", session_id=sid))[0]["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, notes
            time.sleep(0.5)
        assert len(notes) == 1 and notes[0]["state"] == "done" and notes[0]["template"] == "notes", notes
        overview = notes[0]["text"].split("\n\n")[0]
        assert overview.startswith("## Overview") and re.search(r"print|book|type", overview, re.I), notes[0]["text"]


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path, models_dir: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(InvalidArgumentError, match="not a GGUF"):
        check_gguf(bad)
    assert check_gguf(models_dir / FILE)


def _events(client: Client, summary_id: str, timeout: float, cancel_after_tokens: int = 0) -> list[dict[str, Any]]:
    ws = client.ws()
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            e = receive(ws, 1.0)
            if e is None or e.get("summary_id") != summary_id:
                continue
            seen.append(e)
            tokens = sum(1 for x in seen if x["type"] == "summary_token")
            if cancel_after_tokens and tokens == cancel_after_tokens:
                client.ok("summaries.cancel", summary_id=summary_id)
            if e["type"] == "summary_updated" and e["state"] in ("done", "failed", "cancelled"):
                return seen
    finally:
        ws.close()
    raise AssertionError(f"summary {summary_id} did not finish: {seen[-3:]}")


def test_summary_of_a_real_session_streams_is_stored_cancels_and_survives_restart(
    tmp_path: Path, registry: ModelRegistry
) -> None:
    data = tmp_path / "data"
    with running(data, registry) as (client, _):
        job = client.ok("files.import", paths=[str(CLIP)], model="tiny.en-q8_0", language="en")[0]
        deadline = time.monotonic() + 120
        while (done := next(j for j in client.ok("jobs.list") if j["job_id"] == job["job_id"]))["state"] != "done":
            assert time.monotonic() < deadline and done["state"] not in ("failed", "cancelled"), done
            time.sleep(0.2)
        sid = done["session_id"]
        first = client.ok("summaries.create", session_id=sid, template="summary")  # the old name of the notes
        assert first["state"] == "queued" and first["model"] == FILE and first["template"] == "notes"
        seen = _events(client, first["id"], 300)
        tokens = [e for e in seen if e["type"] == "summary_token"]
        assert len(tokens) >= 2 and seen[-1]["state"] == "done", seen[-3:]
        stored = client.ok("summaries.list", session_id=sid)[0]
        draft = "".join(t["text"] for t in tokens)
        assert stored["state"] == "done" and stored["text"].startswith("## Overview"), (stored["text"], draft)
        # what streamed was the model's draft; what is stored is checked: every point of the notes cites a time of
        # this 8 s recording; what the transcript does not support is set apart at the end
        notes = stored["text"].split("## Not found in the transcript")[0]
        points = [line for line in notes.splitlines() if line.startswith("- ")]
        for point in points:
            assert re.search(r"\[0:0\d\]$", point), point
        md = client.ok("sessions.export", session_id=sid, format="md")["text"]
        assert stored["text"].strip().splitlines()[1] in md

        second = client.ok("summaries.create", session_id=sid, template="custom", prompt="Who is speaking?")
        cancelled = _events(client, second["id"], 300, cancel_after_tokens=2)
        assert cancelled[-1]["state"] == "cancelled"
        assert client.ok("summaries.list", session_id=sid)[0]["state"] == "cancelled"
        client.error("summaries.create", "invalid_argument", session_id=sid, template="poem")
        client.error("summaries.create", "not_found", session_id="6f1c1f42-0000-4000-8000-000000000000")
    with running(data, registry) as (client, _):  # a restart: the stored summaries are there
        kept = {s["id"]: s for s in client.ok("summaries.list", session_id=sid)}
        assert kept[first["id"]]["text"] == stored["text"] and kept[second["id"]]["state"] == "cancelled"


def test_cli_summary(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    aiwisper = [sys.executable, "-m", "aiwisper"]
    done = subprocess.run([*aiwisper, "transcribe", str(CLIP), "--format", "json", *data], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    sid = next(line.split()[0] for line in subprocess.run([*aiwisper, "sessions", *data], capture_output=True,
                                                           text=True, timeout=60).stdout.splitlines())  # fmt: skip
    out = subprocess.run([*aiwisper, "summary", sid, "--template", "action_items", *data], capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
    bad = subprocess.run([*aiwisper, "summary", sid, "--model", str(CLIP), *data], capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "not a GGUF" in bad.stderr


ORPHAN = """
import json, os, sys, threading, time
from pathlib import Path
from aiwisper.summaries.worker import SummaryWorker, Transcript

if __name__ == "__main__":
    model, models = sys.argv[1], Path(sys.argv[2])
    worker = SummaryWorker()
    lines = [f"Ann: item {i} of the budget needs another look before the review on Friday" for i in range(800)]
    busy = threading.Event()
    threading.Thread(target=lambda: worker.summarize({"kind": "gguf", "path": model}, Transcript(lines, None, models),
                     "notes", "", lambda *_: busy.set(), lambda _: busy.set()), daemon=True).start()
    while worker.pid is None:
        time.sleep(0.05)
    print(worker.pid, flush=True)
    busy.wait(120)
    os.kill(os.getpid(), 9)
"""


def test_a_summary_in_flight_ends_when_the_app_is_killed(tmp_path: Path, models_dir: Path) -> None:
    """kill -9 of the app mid-summary takes the summary worker with it (it would go on using both cores)."""
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN)
    app = subprocess.run([sys.executable, str(script), str(models_dir / FILE), str(models_dir)], capture_output=True,
                         text=True, timeout=180)  # fmt: skip
    assert app.returncode == -9, app.stderr[-2000:]
    pid = int(app.stdout.split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    alive = Path(f"/proc/{pid}/status").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
    assert not alive, f"summary worker {pid} outlived the app"
