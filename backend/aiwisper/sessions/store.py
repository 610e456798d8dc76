"""Reading and writing session and chunk rows. Functions of a connection; the caller picks the thread."""

from __future__ import annotations

import enum
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict

from aiwisper.errors import NotFoundError


class Status(enum.StrEnum):
    """A session's stored status."""

    RECORDING = "recording"
    IMPORTING = "importing"
    DONE = "done"
    RECOVERED = "recovered"  # found unfinished after a crash, its audio kept
    FAILED = "failed"
    TRANSCRIBING = "transcribing"  # shown, never stored: finished with chunks still waiting


class ChunkStatus(enum.StrEnum):
    PENDING = "pending"
    HELD = "held"  # recorded without live transcription: transcribed on request
    DONE = "done"
    FAILED = "failed"


FINISHED = (Status.DONE, Status.RECOVERED)  # statuses of a session whose recording or import has ended


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SessionRow:
    """One session as stored."""

    id: str
    title: str
    created_at: str
    ended_at: str | None
    duration_ms: int
    status: str
    kind: str
    sources: list[str]
    audio_file: str
    sample_rate: int
    language: str | None
    model: str | None
    error: str | None
    vocabulary: str = ""

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> SessionRow:
        return cls(**{**dict(r), "sources": json.loads(r["sources"])})


@dataclass(frozen=True)
class ChunkRow:
    """A chunk: a sample range of one channel of the session audio."""

    id: int
    session_id: str
    source: str
    start_sample: int
    end_sample: int
    status: str
    attempts: int
    error: str | None


def insert_session(conn: sqlite3.Connection, s: SessionRow) -> None:
    conn.execute(
        "INSERT INTO sessions (id, title, created_at, ended_at, duration_ms, status, kind, sources, audio_file,"
        " sample_rate, language, model, error, vocabulary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (s.id, s.title, s.created_at, s.ended_at, s.duration_ms, s.status, s.kind, json.dumps(s.sources),
         s.audio_file, s.sample_rate, s.language, s.model, s.error, s.vocabulary),
    )  # fmt: skip


def finish_session(
    conn: sqlite3.Connection, session_id: str, status: Status, duration_ms: int, error: str | None = None
) -> None:
    conn.execute(
        "UPDATE sessions SET status = ?, duration_ms = ?, ended_at = ?, error = ? WHERE id = ?",
        (status, duration_ms, now_iso(), error, session_id),
    )


def add_chunk(conn: sqlite3.Connection, session_id: str, source: str, start: int, end: int,
              status: ChunkStatus) -> int:  # fmt: skip
    cur = conn.execute(
        "INSERT INTO chunks (session_id, source, start_sample, end_sample, status) VALUES (?,?,?,?,?)",
        (session_id, source, start, end, status),
    )
    return int(cur.lastrowid or 0)


def get_session(conn: sqlite3.Connection, session_id: str) -> SessionRow:
    row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no session {session_id}")
    return SessionRow.from_row(row)


def sessions_with_status(conn: sqlite3.Connection, status: Status) -> list[SessionRow]:
    rows = conn.execute("SELECT * FROM sessions WHERE status = ? ORDER BY created_at", (status,)).fetchall()
    return [SessionRow.from_row(r) for r in rows]


def list_sessions(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[SessionRow]:
    rows = conn.execute("SELECT * FROM sessions ORDER BY created_at DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return [SessionRow.from_row(r) for r in rows]


def chunks_of(conn: sqlite3.Connection, session_id: str) -> list[ChunkRow]:
    rows = conn.execute("SELECT * FROM chunks WHERE session_id = ? ORDER BY start_sample", (session_id,)).fetchall()
    return [ChunkRow(**dict(r)) for r in rows]


class Word(TypedDict):
    """A word of a segment with its times in the session's audio; `low` marks an uncertain word."""

    text: str
    start_ms: int
    end_ms: int
    p: float
    low: bool


@dataclass(frozen=True)
class NewSegment:
    """A segment a transcription made, before it is stored; times are in the session's audio."""

    start_ms: int
    end_ms: int
    text: str
    confidence: float | None = None
    words: list[Word] = field(default_factory=list)


@dataclass(frozen=True)
class SegmentRow:
    """A transcript segment; times are in the session's audio."""

    id: int
    session_id: str
    chunk_id: int | None
    start_ms: int
    end_ms: int
    text: str
    source: str
    confidence: float | None
    original_text: str | None
    words: list[Word]
    speaker: int | None = None  # within the session; None until diarized

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> SegmentRow:
        return cls(**{**dict(r), "words": json.loads(r["words"])})


def next_pending_chunk(conn: sqlite3.Connection, session_id: str | None = None, exclude: str | None = None
                       ) -> ChunkRow | None:  # fmt: skip
    """The chunk to transcribe next: the recording session's first, then oldest sessions first (of `session_id`
    only, or of any session but `exclude`)."""
    where, args = ("AND c.session_id = ?", (session_id,)) if session_id else ("", ())
    if exclude:
        where, args = where + " AND c.session_id != ?", (*args, exclude)
    row = conn.execute(
        "SELECT c.* FROM chunks c JOIN sessions s ON s.id = c.session_id WHERE c.status = 'pending' "
        f"{where} ORDER BY (s.status = 'recording') DESC, s.created_at, c.start_sample LIMIT 1",
        args,
    ).fetchone()
    return ChunkRow(**dict(row)) if row else None


def pending_chunks(conn: sqlite3.Connection, session_id: str, limit: int) -> list[ChunkRow]:
    """A session's first `limit` pending chunks, in time order (of all its sources)."""
    rows = conn.execute(
        "SELECT * FROM chunks WHERE session_id = ? AND status = 'pending' ORDER BY start_sample LIMIT ?",
        (session_id, limit),
    ).fetchall()
    return [ChunkRow(**dict(r)) for r in rows]


def count_pending(conn: sqlite3.Connection, session_id: str) -> int:
    sql = "SELECT COUNT(*) FROM chunks WHERE session_id = ? AND status = 'pending'"
    return int(conn.execute(sql, (session_id,)).fetchone()[0])


def segments_of(conn: sqlite3.Connection, session_id: str) -> list[SegmentRow]:
    rows = conn.execute("SELECT * FROM segments WHERE session_id = ? ORDER BY start_ms, id", (session_id,)).fetchall()
    return [SegmentRow.from_row(r) for r in rows]


def segments_of_chunk(conn: sqlite3.Connection, chunk_id: int) -> list[SegmentRow]:
    rows = conn.execute("SELECT * FROM segments WHERE chunk_id = ? ORDER BY start_ms", (chunk_id,)).fetchall()
    return [SegmentRow.from_row(r) for r in rows]


def chunk_text(conn: sqlite3.Connection, chunk_id: int) -> str:
    rows = conn.execute("SELECT text FROM segments WHERE chunk_id = ? ORDER BY start_ms", (chunk_id,)).fetchall()
    return " ".join(r[0] for r in rows)


def previous_chunk(conn: sqlite3.Connection, chunk: ChunkRow) -> ChunkRow | None:
    """The chunk of the same session and source just before `chunk`, transcribed."""
    row = conn.execute(
        "SELECT * FROM chunks WHERE session_id = ? AND source = ? AND start_sample < ? AND status = 'done' "
        "ORDER BY start_sample DESC LIMIT 1",
        (chunk.session_id, chunk.source, chunk.start_sample),
    ).fetchone()
    return ChunkRow(**dict(row)) if row else None


def insert_segment(conn: sqlite3.Connection, session_id: str, chunk_id: int | None, source: str, start_ms: int,
                   end_ms: int, text: str, confidence: float | None, words: list[Word],
                   speaker: int | None = None) -> SegmentRow:  # fmt: skip
    cur = conn.execute(
        "INSERT INTO segments (session_id, chunk_id, start_ms, end_ms, text, source, confidence, words, speaker)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (session_id, chunk_id, start_ms, end_ms, text, source, confidence, json.dumps(words), speaker),
    )
    return SegmentRow(int(cur.lastrowid or 0), session_id, chunk_id, start_ms, end_ms, text, source, confidence, None,
                      words, speaker)  # fmt: skip


def replace_chunk_segments(conn: sqlite3.Connection, chunk: ChunkRow, segments: list[NewSegment]) -> list[SegmentRow]:
    """Swap in a chunk's new text in one transaction: the old text stays until this succeeds."""
    conn.execute("DELETE FROM segments WHERE chunk_id = ?", (chunk.id,))
    out = [
        insert_segment(conn, chunk.session_id, chunk.id, chunk.source, s.start_ms, s.end_ms, s.text, s.confidence,
                       s.words)
        for s in segments
    ]  # fmt: skip
    conn.execute("UPDATE chunks SET status = 'done', error = NULL WHERE id = ?", (chunk.id,))
    return out


def fail_chunk(conn: sqlite3.Connection, chunk_id: int, attempts: int, error: str, final: bool) -> None:
    conn.execute(
        "UPDATE chunks SET attempts = ?, error = ?, status = ? WHERE id = ?",
        (attempts, error, "failed" if final else "pending", chunk_id),
    )


def set_language(conn: sqlite3.Connection, session_id: str, language: str) -> None:
    conn.execute("UPDATE sessions SET language = ? WHERE id = ?", (language, session_id))


def delete_session(conn: sqlite3.Connection, session_id: str) -> None:
    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def chunks_by_id(conn: sqlite3.Connection, ids: list[int]) -> list[ChunkRow]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT * FROM chunks WHERE id IN ({marks}) ORDER BY start_sample", ids).fetchall()
    return [ChunkRow(**dict(r)) for r in rows]


def merge_chunks(conn: sqlite3.Connection, ids: list[int], window: ChunkRow) -> ChunkRow:
    """Replace chunks `ids` by one chunk spanning `window` (their segments go with them)."""
    cid = add_chunk(conn, window.session_id, window.source, window.start_sample, window.end_sample, ChunkStatus.DONE)
    marks = ",".join("?" * len(ids))
    conn.execute(f"DELETE FROM chunks WHERE id IN ({marks})", ids)
    return ChunkRow(cid, window.session_id, window.source, window.start_sample, window.end_sample, "done", 0, None)
