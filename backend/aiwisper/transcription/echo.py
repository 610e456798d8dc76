"""Echo: without headphones the microphone also hears the call. Words the mic hears that the system channel said
a moment earlier (0–0.5 s, plus timing slack) are the call's, not the user's: they are taken out of the mic's
text, so each sentence appears once, as the other side's. The user's own words, even said during the call, stay:
only runs of at least two matching words count (or a one-word segment that matches)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence

from aiwisper.sessions.store import SegmentRow, Word

MIN_LAG_MS, MAX_LAG_MS = -300, 800  # mic word start minus system word start
MIN_RUN = 2
REACH_MS = 2000  # how far around a segment the other channel is looked at


def _norm(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def echoed(mic: Sequence[Word], system: Sequence[Word], span: tuple[int, int] | None = None) -> set[int]:
    """Indices of `mic` words that repeat `system` words at about the same time, in runs. Word times can be off
    (whisper.cpp sometimes puts every word of a segment at its end): a system word inside the mic segment's
    `span` also counts as at the same time."""

    def near(w: Word, s: Word) -> bool:
        if MIN_LAG_MS <= w["start_ms"] - s["start_ms"] <= MAX_LAG_MS:
            return True
        return span is not None and span[0] + MIN_LAG_MS <= s["start_ms"] <= span[1]

    matched: list[int | None] = []
    last = -1
    for w in mic:
        key = _norm(w["text"])
        j = next((j for j in range(last + 1, len(system))
                  if key and _norm(system[j]["text"]) == key and near(w, system[j])), None)  # fmt: skip
        matched.append(j)
        if j is not None:
            last = j
    out: set[int] = set()
    run: list[int] = []
    for i, j in enumerate([*matched, None]):
        if j is not None:
            run.append(i)
            continue
        if len(run) >= MIN_RUN or (run and len(mic) == 1):
            out.update(run)
        run = []
    return out


def _around(conn: sqlite3.Connection, session_id: str, source: str, start: int, end: int) -> list[SegmentRow]:
    rows = conn.execute(
        "SELECT * FROM segments WHERE session_id = ? AND source = ? AND end_ms >= ? AND start_ms <= ?"
        " ORDER BY start_ms",
        (session_id, source, start - REACH_MS, end + REACH_MS),
    ).fetchall()
    return [SegmentRow.from_row(r) for r in rows]


def remove_echo(conn: sqlite3.Connection, session_id: str, mic: Sequence[SegmentRow]) -> bool:
    """Take the call's words out of these mic segments (stored), deleting one left with nothing of the user's;
    True when anything changed."""
    changed = False
    for seg in mic:
        if seg.original_text is not None or not seg.words:
            continue  # a user's correction stays as it is
        system = [w for s in _around(conn, session_id, "system", seg.start_ms, seg.end_ms) for w in s.words]
        gone = echoed(seg.words, system, (seg.start_ms, seg.end_ms))
        if not gone:
            continue
        changed = True
        kept = [w for i, w in enumerate(seg.words) if i not in gone]
        if not kept:
            conn.execute("DELETE FROM segments WHERE id = ?", (seg.id,))
            continue
        conn.execute(
            "UPDATE segments SET text = ?, words = ?, start_ms = ?, end_ms = ? WHERE id = ?",
            (" ".join(w["text"] for w in kept), json.dumps(kept), max(seg.start_ms, kept[0]["start_ms"]),
             min(seg.end_ms, max(kept[-1]["end_ms"], kept[0]["start_ms"] + 1)), seg.id),
        )  # fmt: skip
    return changed


def mic_near(conn: sqlite3.Connection, session_id: str, start_ms: int, end_ms: int) -> list[SegmentRow]:
    """The mic segments a system chunk at [start, end) may have echoed into."""
    return _around(conn, session_id, "mic", start_ms, end_ms)
