"""Notes ready after Stop: an hour-long real meeting (ICSI Bro005 from QMSum, 11,389 words) replayed through the
app's own path for a recording, against the same transcript imported (notes written from nothing) in the same run.

The replay: a session in the recording state gets the meeting's segments two minutes of talk at a time (without
speaker labels, as a recording has them before its speakers are found), each batch announced with the event the
live transcriber publishes (`ChunkTranscribed`); the summary service writes the notes of the parts that later
speech cannot change. The replay is faster than real time: after each batch it waits until that work is done,
which in real time it is long before the next part closes (a part is 6-9 minutes of talk, its notes take
well under one). Then Stop: the session is finished as the transcriber finishes it (`SessionUpdated`), and the
clock runs until the notes are stored. The baseline is the same transcript as an import: its notes written by a
fresh worker. Both notes are printed with their ROUGE against the person's summary."""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiwisper.events import ChunkTranscribed, Event, EventBus, SessionUpdated, SummaryUpdated
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.sessions import store
from aiwisper.settings import Settings
from aiwisper.storage.db import Database
from aiwisper.summaries import service as summary_service
from aiwisper.summaries import store as summaries
from aiwisper.summaries.notes import parse, plain
from aiwisper.summaries.service import SummaryService
from bench.rouge import centroid, rouge, tokens

MEETING = Path(__file__).resolve().parent.parent / "tests" / "data" / "meetings" / "qmsum-hour.json"
WORDS_PER_MINUTE = 190  # the meeting's pace: 11,389 words in about an hour
BATCH_MS = 120_000
_SPEAKER = re.compile(r"^[^:]{1,40}:\s*")


def _segments(lines: list[str]) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) of each line, timed by its words at the meeting's pace; speaker labels dropped."""
    out, at = [], 0
    for line in lines:
        text = _SPEAKER.sub("", line).strip()
        if not text:
            continue
        length = max(600, round(len(text.split()) * 60_000 / WORDS_PER_MINUTE))
        out.append((at, at + length, text))
        at += length
    return out


def _session(db: Database, kind: str, status: str) -> str:
    sid = f"bench-{kind}-{time.time_ns()}"
    row = store.SessionRow(id=sid, title=f"Bro005 ({kind})", created_at=store.now_iso(), ended_at=None,
                           duration_ms=0, status=status, kind=kind, sources=["mic"], audio_file="", sample_rate=16000,
                           language="en", model=None, error=None)  # fmt: skip
    db.write(lambda c: store.insert_session(c, row))
    return sid


def _finished(bus: EventBus, sid: str) -> tuple[threading.Event, list[float]]:
    done, at = threading.Event(), [0.0]

    def on(event: Event) -> None:
        if isinstance(event, SummaryUpdated) and event.session_id == sid and event.state in ("done", "failed"):
            at[0] = time.perf_counter()
            done.set()

    bus.subscribe(on)
    return done, at


def _notes(db: Database, sid: str) -> str:
    made = db.read(lambda c: summaries.of_session(c, sid))
    return made[0].text if made and made[0].state == "done" else f"(no notes: {made[0].error if made else 'none'})"


def _add(db: Database, sid: str, start: int, end: int, text: str) -> store.SegmentRow:
    return db.write(lambda c: store.insert_segment(c, sid, None, "mic", start, end, text, None, []))


def _replay(folder: Path, kind: str, segments: list[tuple[int, int, str]], settings: Settings,
            registry: ModelRegistry) -> tuple[float, str]:  # fmt: skip
    """(seconds from the complete transcript to stored notes, the notes) of the meeting as a `kind` session."""
    db, bus = Database(folder), EventBus()
    service = SummaryService(db, bus, settings, registry)
    try:
        sid = _session(db, kind, "recording" if kind == "recording" else "transcribing")
        batch: list[store.SegmentRow] = []
        for i, (start, end, text) in enumerate(segments):
            batch.append(_add(db, sid, start, end, text))
            if kind == "recording" and (end - batch[0].start_ms >= BATCH_MS or i == len(segments) - 1):
                bus.publish(ChunkTranscribed(sid, i, "mic", batch[0].start_ms, end, batch))
                batch = []
                if not service.wait_idle(900):
                    raise RuntimeError("the parts of the recording were not written in 15 minutes")
        done, at = _finished(bus, sid)
        duration = segments[-1][1]
        db.write(lambda c: store.finish_session(c, sid, "done", duration))
        t = time.perf_counter()
        bus.publish(SessionUpdated(sid, "done", 0, "en"))  # Stop: the transcript is complete
        if not done.wait(1800):
            raise RuntimeError(f"the notes of the {kind} were not ready in 30 minutes")
        return at[0] - t, _notes(db, sid)
    finally:
        service.close()
        db.close()


def run() -> list[dict[str, Any]]:
    meeting = json.loads(MEETING.read_text())[0]
    segments = _segments(meeting["lines"])
    registry = ModelRegistry(model_search_dirs())
    settings = Settings({"summaries.auto": True, "speakers.auto": False})
    summary_service.PREPARE_EVERY = 0.0  # faster than real time: look at every batch, not once a minute
    results: dict[str, tuple[float, str]] = {}
    with tempfile.TemporaryDirectory(prefix="aiwisper-bench-") as tmp:
        for kind in ("recording", "import"):
            results[kind] = _replay(Path(tmp) / kind, kind, segments, settings, registry)
    n = len(tokens(meeting["summary"]))
    base = rouge(centroid(meeting["lines"], n), meeting["summary"])
    scored = {k: rouge(plain(parse(text)), meeting["summary"]) for k, (_, text) in results.items()}
    for kind, (took, text) in results.items():
        r = scored[kind]
        print(f"--- notes of Bro005 as a {kind}: ready {took:.0f} s after the transcript was complete; ROUGE "
              f"{r[0]:.3f} / {r[1]:.3f} / {r[2]:.3f}\n{text}\n", flush=True)  # fmt: skip
    print(f"--- centroid baseline: ROUGE {base[0]:.3f} / {base[1]:.3f} / {base[2]:.3f}\n")
    live, cold = results["recording"][0], results["import"][0]
    made = all(not text.startswith("(no notes") for _, text in results.values())
    words = f"{meeting['words']:,} words, {segments[-1][1] / 60_000:.0f} min"
    return [
        {"name": f"notes ready after Stop, an hour-long real meeting replayed through the recording path ({words})",
         "ours": f"{live:.0f} s", "peer": f"the same transcript imported: {cold:.0f} s",
         "ratio": f"{live / cold:.2f}×", "goal": "≤ 60 s after Stop", "met": made and live <= 60},
        {"name": f"notes of an imported hour-long meeting ({words}), from nothing", "ours": f"{cold:.0f} s",
         "peer": "—", "ratio": "—", "goal": "≤ 6 min", "met": made and cold <= 360},
        {"name": "ROUGE-1/2/L of those notes (Bro005, against the person's summary)",
         "ours": " / ".join(f"{x:.3f}" for x in scored["recording"]) + " (parts joined)",
         "peer": " / ".join(f"{x:.3f}" for x in scored["import"]) + " (imported); centroid "
                 + " / ".join(f"{x:.3f}" for x in base),
         "ratio": f"{scored['recording'][1] / base[1]:.2f}× centroid ROUGE-2" if base[1] else "—",
         "goal": "ROUGE-2 ≥ centroid's",
         "met": made and scored["recording"][1] >= base[1]},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
