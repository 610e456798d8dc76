"""Notes ready after Stop: an hour-long real meeting (ICSI Bro005 from QMSum, 11,389 words) replayed through the
app's own path for a recording, against the same transcript imported (notes written from nothing) in the same run.

The replay: a session in the recording state gets the meeting's segments two minutes of talk at a time (without
speaker labels, as a recording has them before its speakers are found), each batch announced with the event the
live transcriber publishes (`ChunkTranscribed`); the summary service writes the notes of the parts that later
speech cannot change. The replay is faster than real time: after each batch it waits until that work is done,
which in real time it is long before the next part closes (a part is 6-9 minutes of talk, its notes take
well under one). Then Stop: the session is finished as the transcriber finishes it (`SessionUpdated`), and the
clock runs until the notes are stored. The baseline is the same transcript as an import: its notes written by a
fresh worker. Both notes are printed with their ROUGE against the person's summary.

After Stop the app does more than the notes: it finds the speakers of the recording's audio and indexes its text
for search by meaning. The recording is replayed with that work too (54 minutes of real AMI meeting audio, tiled,
as the session's audio), twice in the same run: with the app's priorities (priorities.py: notes before speakers,
the index after both), and with every piece of background work at one priority and the index waiting only for
the recording (as before priorities.py)."""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiwisper import priorities
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.audio.wav_writer import WavWriter
from aiwisper.events import ChunkTranscribed, Event, EventBus, SessionUpdated, SummaryUpdated
from aiwisper.meaning.service import SearchIndex
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.sessions import store
from aiwisper.settings import Settings
from aiwisper.speakers.service import SpeakerService
from aiwisper.storage.db import Database
from aiwisper.summaries import service as summary_service
from aiwisper.summaries import store as summaries
from aiwisper.summaries.notes import parse, plain
from aiwisper.summaries.service import SummaryService
from bench.rouge import centroid, rouge, tokens

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
MEETING = DATA / "meetings" / "qmsum-hour.json"
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


def _session(db: Database, kind: str, status: str, audio: str = "") -> str:
    sid = f"bench-{kind}-{time.time_ns()}"
    row = store.SessionRow(id=sid, title=f"Bro005 ({kind})", created_at=store.now_iso(), ended_at=None,
                           duration_ms=0, status=status, kind=kind, sources=["mic"], audio_file=audio,
                           sample_rate=16000, language="en", model=None, error=None)  # fmt: skip
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


def _audio(folder: Path, seconds: float) -> str:
    """The session's audio: the AMI excerpts in tests/data, tiled to `seconds` (a file in `folder`)."""
    clips = [read_wav_16k(p) for p in sorted((DATA / "ami").glob("*.wav"))]
    writer = WavWriter(folder / "meeting.wav", 1)
    written, i = 0, 0
    while written < seconds * 16000:
        writer.write_float(clips[i % len(clips)])
        written, i = written + len(clips[i % len(clips)]), i + 1
    writer.close()
    return "meeting.wav"


class _AfterStop:
    """The rest of the app's work after Stop, beside the notes: speakers of the audio, the search index; with
    the app's priorities (`ordered`) or all at one priority."""

    def __init__(self, db: Database, folder: Path, bus: EventBus, registry: ModelRegistry, notes: SummaryService,
                 ordered: bool) -> None:  # fmt: skip
        self.saved = dict(priorities.NICE)
        if not ordered:
            priorities.NICE.update({w: 10 for w in priorities.Work})
        settings = Settings({"speakers.auto": True, "speakers.live": False})
        self.speakers = SpeakerService(db, folder, bus, settings, registry.speaker_models(),
                                       notes.busy if ordered else lambda: False)  # fmt: skip
        self.recording = [True]
        first = (notes.busy, self.speakers.busy) if ordered else ()
        waits = priorities.waits_for(lambda: self.recording[0], *first)
        self.index = SearchIndex(db, bus, registry.embedding_models_dir(), busy=waits)

    def stopped(self) -> None:
        self.recording[0] = False
        self.index.wake()

    def wait(self, began: float) -> str:
        """When the speakers and the index were done, in seconds after Stop."""
        while self.speakers.busy():
            time.sleep(0.2)
        speakers = time.perf_counter() - began
        self.index.wait_idle(1800)
        return f"speakers {speakers:.0f} s, index {time.perf_counter() - began:.0f} s"

    def close(self) -> None:
        self.speakers.close()
        self.index.close()
        priorities.NICE.update(self.saved)


def _replay(folder: Path, kind: str, segments: list[tuple[int, int, str]], settings: Settings,
            registry: ModelRegistry, after_stop: bool | None = None) -> tuple[float, str, str]:  # fmt: skip
    """(seconds from the complete transcript to stored notes, the notes, when the rest was done) of the meeting as
    a `kind` session; `after_stop`: with the speakers and the index, in the app's order (True) or not (False)."""
    folder.mkdir(parents=True)
    db, bus = Database(folder), EventBus()
    service = SummaryService(db, bus, settings, registry)
    audio = _audio(folder, segments[-1][1] / 1000) if after_stop is not None else ""
    rest = _AfterStop(db, folder, bus, registry, service, after_stop) if after_stop is not None else None
    try:
        sid = _session(db, kind, "recording" if kind == "recording" else "transcribing", audio)
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
        db.write(lambda c: store.finish_session(c, sid, store.Status.DONE, duration))
        t = time.perf_counter()
        if rest is not None:
            rest.stopped()
        bus.publish(SessionUpdated(sid, "done", 0, "en"))  # Stop: the transcript is complete
        if not done.wait(1800):
            raise RuntimeError(f"the notes of the {kind} were not ready in 30 minutes")
        others = rest.wait(t) if rest is not None else ""
        return at[0] - t, _notes(db, sid), others
    finally:
        if rest is not None:
            rest.close()
        service.close()
        db.close()


def run() -> list[dict[str, Any]]:
    meeting = json.loads(MEETING.read_text())[0]
    segments = _segments(meeting["lines"])
    registry = ModelRegistry(model_search_dirs())
    settings = Settings({"summaries.auto": True, "speakers.auto": False})
    summary_service.PREPARE_EVERY = 0.0  # faster than real time: look at every batch, not once a minute
    results: dict[str, tuple[float, str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="aiwisper-bench-") as tmp:
        for name, kind, after_stop in (("ordered", "recording", True), ("flat", "recording", False),
                                       ("import", "import", None)):  # fmt: skip
            results[name] = _replay(Path(tmp) / name, kind, segments, settings, registry, after_stop)
    n = len(tokens(meeting["summary"]))
    base = rouge(centroid(meeting["lines"], n), meeting["summary"])
    scored = {k: rouge(plain(parse(text)), meeting["summary"]) for k, (_, text, _) in results.items()}
    for name, (took, text, others) in results.items():
        r = scored[name]
        print(f"--- notes of Bro005 ({name}): ready {took:.0f} s after the transcript was complete ({others or '-'});"
              f" ROUGE {r[0]:.3f} / {r[1]:.3f} / {r[2]:.3f}\n{text}\n", flush=True)  # fmt: skip
    print(f"--- centroid baseline: ROUGE {base[0]:.3f} / {base[1]:.3f} / {base[2]:.3f}\n")
    live, flat, cold = results["ordered"][0], results["flat"][0], results["import"][0]
    made = all(not text.startswith("(no notes") for _, text, _ in results.values())
    words = f"{meeting['words']:,} words, {segments[-1][1] / 60_000:.0f} min"
    return [
        {"name": f"notes ready after Stop, an hour-long real meeting replayed through the recording path ({words}),"
                 " with the speakers and the search index of the app's own after-Stop work",
         "ours": f"{live:.0f} s ({results['ordered'][2]})",
         "peer": f"all background work at one priority: {flat:.0f} s ({results['flat'][2]})",
         "ratio": f"{live / flat:.2f}", "goal": "≤ 60 s after Stop", "met": made and live <= 60},
        {"name": f"notes of an imported hour-long meeting ({words}), from nothing", "ours": f"{cold:.0f} s",
         "peer": "—", "ratio": "—", "goal": "≤ 6 min", "met": made and cold <= 360},
        {"name": "ROUGE-1/2/L of those notes (Bro005, against the person's summary)",
         "ours": " / ".join(f"{x:.3f}" for x in scored["ordered"]) + " (parts joined)",
         "peer": " / ".join(f"{x:.3f}" for x in scored["import"]) + " (imported); centroid "
                 + " / ".join(f"{x:.3f}" for x in base),
         "ratio": f"{scored['ordered'][1] / base[1]:.2f}× centroid ROUGE-2" if base[1] else "—",
         "goal": "ROUGE-2 ≥ centroid's",
         "met": made and scored["ordered"][1] >= base[1]},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
