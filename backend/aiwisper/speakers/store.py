"""Speakers of a stored session, written: turns applied to its segments (split where the speaker changes),
names given, merged and undone (teaching the voice library)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

import numpy as np

from aiwisper.errors import InvalidArgumentError, NotFoundError
from aiwisper.sessions import store
from aiwisper.sessions.speaker_names import names
from aiwisper.speakers import voices
from aiwisper.speakers.assign import split
from aiwisper.speakers.diarize import Turn


def save_turns(
    conn: sqlite3.Connection, session_id: str, source: str | None, turns: Sequence[Turn],
    found: Mapping[int, Sequence[float]] | None = None,
) -> int:  # fmt: skip
    """Keep the turns found in `source` (None: the session's only channel), forget earlier speakers and names,
    label the segments, and (with `found`, each speaker's voice) name the speakers the voice library knows;
    returns the number of speakers."""
    session = store.get_session(conn, session_id)
    source = source or session.sources[0]
    conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
    conn.execute("DELETE FROM speakers WHERE session_id = ?", (session_id,))
    conn.executemany("INSERT INTO turns (session_id, source, start_ms, end_ms, speaker) VALUES (?,?,?,?,?)",
                     [(session_id, source, t.start_ms, t.end_ms, t.speaker) for t in turns])  # fmt: skip
    conn.execute("UPDATE segments SET speaker = NULL WHERE session_id = ?", (session_id,))
    if found is not None:  # on a call's other side, the user's own voice is the microphone's, never a speaker
        vectors = {s: np.asarray(v, np.float32) for s, v in found.items()}
        voices.remember(conn, session_id, vectors, exclude=voices.ME if source == "system" else None)
    label(conn, session_id)
    return len({t.speaker for t in turns})


def stored_turns(conn: sqlite3.Connection, session_id: str) -> tuple[str | None, list[Turn]]:
    rows = conn.execute("SELECT source, start_ms, end_ms, speaker FROM turns WHERE session_id = ? ORDER BY start_ms",
                        (session_id,)).fetchall()  # fmt: skip
    return (rows[0][0] if rows else None), [Turn(r[1], r[2], r[3]) for r in rows]


def label(conn: sqlite3.Connection, session_id: str) -> int | None:
    """Give the stored turns' speakers to the diarized channel's segments that have none yet (new, or
    re-transcribed text), splitting a segment where its words change speaker; returns how many were labelled,
    None when the session was never diarized."""
    source, turns = stored_turns(conn, session_id)
    if source is None:
        return None
    segments = [s for s in store.segments_of(conn, session_id) if s.source == source and s.speaker is None]
    for seg in segments:
        pieces = split(seg.start_ms, seg.end_ms, seg.text, seg.words, turns)
        if len(pieces) == 1 or (pieces and seg.original_text is not None):  # a corrected segment is never split
            conn.execute("UPDATE segments SET speaker = ? WHERE id = ?", (pieces[0].speaker, seg.id))
        elif pieces:
            conn.execute("DELETE FROM segments WHERE id = ?", (seg.id,))
            for p in pieces:
                confidence = min((w["p"] for w in p.words), default=seg.confidence)
                store.insert_segment(conn, session_id, seg.chunk_id, seg.source, p.start_ms, p.end_ms, p.text,
                                     confidence, p.words, p.speaker)  # fmt: skip
    return len(segments)


def rename(conn: sqlite3.Connection, session_id: str, speaker: int, name: str) -> None:
    """Name a speaker for the whole session; the voice library learns their voice under that name (a wrong name
    the library gave is replaced, and the right voice learns from this speaker)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise InvalidArgumentError("a speaker's name is 1 to 80 characters")
    if speaker not in names(conn, session_id):
        raise NotFoundError(f"session {session_id} has no speaker {speaker}")
    before = conn.execute("SELECT voice_id, recognized FROM speakers WHERE session_id = ? AND speaker = ?",
                          (session_id, speaker)).fetchone()  # fmt: skip
    conn.execute("INSERT OR REPLACE INTO speakers (session_id, speaker, name, voice_id, recognized) "
                 "VALUES (?,?,?,NULL,0)", (session_id, speaker, name))  # fmt: skip
    voices.named(conn, session_id, speaker, name, None if before is None else (before[0], bool(before[1])))


def unname(conn: sqlite3.Connection, session_id: str, speaker: int) -> None:
    """Drop a speaker's name (the voice library's wrong guess, or the user's): they are "Speaker N" again."""
    if speaker not in names(conn, session_id):
        raise NotFoundError(f"session {session_id} has no speaker {speaker}")
    conn.execute("DELETE FROM speakers WHERE session_id = ? AND speaker = ?", (session_id, speaker))


def merge(conn: sqlite3.Connection, session_id: str, keep: int, other: int) -> None:
    """`other`'s segments become `keep`'s."""
    known = names(conn, session_id)
    if keep not in known or other not in known or keep == other:
        raise InvalidArgumentError("merge needs two different speakers of the session")
    for table in ("segments", "turns"):  # turns too: re-transcribed text must not bring `other` back
        conn.execute(f"UPDATE {table} SET speaker = ? WHERE session_id = ? AND speaker = ?", (keep, session_id, other))
    conn.execute("DELETE FROM speakers WHERE session_id = ? AND speaker = ?", (session_id, other))
    voices.merged(conn, session_id, keep, other)


def reassign(conn: sqlite3.Connection, segment_id: int, speaker: int) -> str:
    """One segment said by another of its session's speakers; returns the session id."""
    row = conn.execute("SELECT session_id FROM segments WHERE id = ?", (segment_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no segment {segment_id}")
    if speaker not in names(conn, row[0]):
        raise InvalidArgumentError(f"the session has no speaker {speaker}")
    conn.execute("UPDATE segments SET speaker = ? WHERE id = ?", (speaker, segment_id))
    return str(row[0])
