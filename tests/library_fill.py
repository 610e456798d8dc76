"""A library of real meetings written straight into a real SQLite file: the QMSum meetings' transcripts (AMI and
ICSI rooms, people's own words), each line a segment of its speaker, and the person's summary as the meeting's
notes. For the library's tests and the UI's long-meeting and large-library benchmark; no audio."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from pathlib import Path

from aiwisper.sessions import store
from aiwisper.summaries import store as summaries

DATA = Path(__file__).resolve().parent / "data" / "meetings"
WORDS_PER_S = 2.5  # a speaking pace, for the segments' times


def meetings() -> list[dict[str, object]]:
    """The six dev meetings and the hour-long one: {meeting, lines ("Role: text"), summary, …}."""
    out: list[dict[str, object]] = []
    for name in ("qmsum-dev.json", "qmsum-hour.json"):
        out += json.loads((DATA / name).read_text(encoding="utf-8"))
    return out


def add_meeting(conn: sqlite3.Connection, meeting: dict[str, object], when: dt.datetime, title: str = "",
                min_segments: int = 0) -> str:  # fmt: skip
    """One meeting as a finished session: its lines as segments (repeated until there are `min_segments`), the
    roles as named speakers, the person's summary as its notes (an overview citing the first line). Its id."""
    lines = [str(x) for x in meeting["lines"]]  # type: ignore[attr-defined]
    sid = str(uuid.uuid4())
    roles: dict[str, int] = {}
    at, n, rows = 0, 0, []
    while n < max(len(lines), min_segments):
        role, _, text = lines[n % len(lines)].partition(": ")
        speaker = roles.setdefault(role, len(roles))
        length = max(600, int(len(text.split()) / WORDS_PER_S * 1000))
        rows.append((at, at + length, text, speaker))
        at, n = at + length + 300, n + 1
    stamp = when.isoformat(timespec="seconds")
    row = store.SessionRow(sid, title or str(meeting["meeting"]), stamp, stamp, at, "done", "import", ["left"],
                           "audio.wav", 16000, "en", "tiny.en", None)  # fmt: skip
    store.insert_session(conn, row)
    for start, end, text, speaker in rows:
        store.insert_segment(conn, sid, None, "left", start, end, text, None, [], speaker)
    for role, speaker in roles.items():
        conn.execute("INSERT INTO speakers (session_id, speaker, name) VALUES (?,?,?)", (sid, speaker, role))
    overview = str(meeting["summary"]).split(". ")[0].rstrip(".") + "."
    notes = summaries.create(conn, sid, "notes", "", "qmsum-person")
    summaries.update(conn, notes.id, "done", f"## Overview\n{overview}\n\n## Topics\n- {overview} [0:01]")
    return sid


def fill(conn: sqlite3.Connection, sessions: int, now: dt.datetime | None = None) -> list[str]:
    """`sessions` meetings, one every 5 hours back from `now`, cycling through the real ones."""
    now = now or dt.datetime.now(dt.UTC)
    found = meetings()
    picked = [found[i % len(found)] for i in range(sessions)]
    return [
        add_meeting(conn, m, now - dt.timedelta(hours=5 * i), f"{m['meeting']} #{i + 1}") for i, m in enumerate(picked)
    ]
