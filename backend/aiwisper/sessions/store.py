"""Reading and writing session and chunk rows. Functions of a connection; the caller picks the thread."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from aiwisper.errors import NotFoundError


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
        " sample_rate, language, model, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (s.id, s.title, s.created_at, s.ended_at, s.duration_ms, s.status, s.kind, json.dumps(s.sources),
         s.audio_file, s.sample_rate, s.language, s.model, s.error),
    )  # fmt: skip


def finish_session(
    conn: sqlite3.Connection, session_id: str, status: str, duration_ms: int, error: str | None = None
) -> None:
    conn.execute(
        "UPDATE sessions SET status = ?, duration_ms = ?, ended_at = ?, error = ? WHERE id = ?",
        (status, duration_ms, now_iso(), error, session_id),
    )


def update_duration(conn: sqlite3.Connection, session_id: str, duration_ms: int) -> None:
    conn.execute("UPDATE sessions SET duration_ms = ? WHERE id = ?", (duration_ms, session_id))


def add_chunk(conn: sqlite3.Connection, session_id: str, source: str, start: int, end: int, status: str) -> int:
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


def sessions_with_status(conn: sqlite3.Connection, status: str) -> list[SessionRow]:
    rows = conn.execute("SELECT * FROM sessions WHERE status = ? ORDER BY created_at", (status,)).fetchall()
    return [SessionRow.from_row(r) for r in rows]


def list_sessions(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[SessionRow]:
    rows = conn.execute("SELECT * FROM sessions ORDER BY created_at DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return [SessionRow.from_row(r) for r in rows]


def chunks_of(conn: sqlite3.Connection, session_id: str) -> list[ChunkRow]:
    rows = conn.execute("SELECT * FROM chunks WHERE session_id = ? ORDER BY start_sample", (session_id,)).fetchall()
    return [ChunkRow(**dict(r)) for r in rows]
