"""A session's memo: the user's own notes beside the transcript, written during the recording or after."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from aiwisper.errors import InvalidArgumentError
from aiwisper.sessions import store

MAX_CHARS = 100_000


@dataclass(frozen=True)
class Memo:
    """A session's memo as saved; `updated_at` is None when it was never written."""

    session_id: str
    text: str
    updated_at: str | None


def get(conn: sqlite3.Connection, session_id: str) -> Memo:
    row = conn.execute("SELECT text, updated_at FROM memos WHERE session_id = ?", (session_id,)).fetchone()
    return Memo(session_id, row["text"], row["updated_at"]) if row else Memo(session_id, "", None)


def save(conn: sqlite3.Connection, session_id: str, text: str) -> Memo:
    """Store the memo (the whole text each time: the UI autosaves as the user types)."""
    if len(text) > MAX_CHARS:
        raise InvalidArgumentError(f"a memo is at most {MAX_CHARS:,} characters (this one has {len(text):,})")
    store.get_session(conn, session_id)  # a clear error for an unknown session
    now = store.now_iso()
    conn.execute(
        "INSERT INTO memos (session_id, text, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(session_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
        (session_id, text, now),
    )
    return Memo(session_id, text, now)
