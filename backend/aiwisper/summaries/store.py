"""Summaries in the database: one row per request, with what made it and its text (partial while it streams)."""

from __future__ import annotations

import enum
import sqlite3
import uuid
from dataclasses import dataclass

from aiwisper.errors import NotFoundError
from aiwisper.sessions.store import now_iso


class State(enum.StrEnum):
    """Where a summary is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SummaryInfo:
    """A summary: the template (or the user's prompt) and model that made it, its text and state."""

    id: str
    session_id: str
    template: str
    prompt: str
    model: str
    text: str
    state: str
    error: str | None
    created_at: str
    updated_at: str
    language: str = ""  # what the user picked ("": the meeting's own language)


def _info(row: sqlite3.Row) -> SummaryInfo:
    return SummaryInfo(**dict(row))


def create(conn: sqlite3.Connection, session_id: str, template: str, prompt: str, model: str,
           language: str = "") -> SummaryInfo:  # fmt: skip
    sid, now = str(uuid.uuid4()), now_iso()
    conn.execute("INSERT INTO summaries (id, session_id, template, prompt, model, text, state, error, created_at,"
                 " updated_at, language) VALUES (?, ?, ?, ?, ?, '', 'queued', NULL, ?, ?, ?)",
                 (sid, session_id, template, prompt, model, now, now, language))  # fmt: skip
    return get(conn, sid)


def get(conn: sqlite3.Connection, summary_id: str) -> SummaryInfo:
    row = conn.execute("SELECT * FROM summaries WHERE id = ?", (summary_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no summary {summary_id[:60]!r}")
    return _info(row)


def of_session(conn: sqlite3.Connection, session_id: str) -> list[SummaryInfo]:
    rows = conn.execute("SELECT * FROM summaries WHERE session_id = ? ORDER BY created_at DESC", (session_id,))
    return [_info(r) for r in rows.fetchall()]


def update(conn: sqlite3.Connection, summary_id: str, state: State, text: str | None = None, model: str | None = None,
           error: str | None = None) -> None:  # fmt: skip
    conn.execute("UPDATE summaries SET state = ?, text = COALESCE(?, text), model = COALESCE(?, model), error = ?,"
                 " updated_at = ? WHERE id = ?", (state, text, model, error, now_iso(), summary_id))  # fmt: skip


def interrupted(conn: sqlite3.Connection) -> int:
    """At start-up: summaries a closed app left queued or running are failed (their partial text stays)."""
    return conn.execute("UPDATE summaries SET state = 'failed', error = 'interrupted: the app closed', updated_at = ?"
                        " WHERE state IN ('queued', 'running')", (now_iso(),)).rowcount  # fmt: skip


def delete(conn: sqlite3.Connection, summary_id: str) -> None:
    if conn.execute("DELETE FROM summaries WHERE id = ?", (summary_id,)).rowcount == 0:
        raise NotFoundError(f"no summary {summary_id[:60]!r}")


def latest_done(conn: sqlite3.Connection, session_id: str) -> SummaryInfo | None:
    row = conn.execute("SELECT * FROM summaries WHERE session_id = ? AND state = 'done' ORDER BY created_at DESC"
                       " LIMIT 1", (session_id,)).fetchone()  # fmt: skip
    return _info(row) if row else None
