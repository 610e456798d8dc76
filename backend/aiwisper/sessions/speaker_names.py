"""Who the speakers of a stored session are called: read by the library, exports, notes and search (the
speakers package writes them)."""

from __future__ import annotations

import sqlite3


def names(conn: sqlite3.Connection, session_id: str) -> dict[int, str]:
    """Every speaker of the session with its name ("Speaker 1"… unless renamed)."""
    found = [r[0] for r in conn.execute(
        "SELECT DISTINCT speaker FROM segments WHERE session_id = ? AND speaker IS NOT NULL ORDER BY speaker",
        (session_id,))]  # fmt: skip
    given = dict(conn.execute("SELECT speaker, name FROM speakers WHERE session_id = ?", (session_id,)).fetchall())
    return {s: given.get(s, f"Speaker {s + 1}") for s in found}


def recognized(conn: sqlite3.Connection, session_id: str) -> set[int]:
    """The session's speakers that the voice library named (not the user)."""
    rows = conn.execute("SELECT speaker FROM speakers WHERE session_id = ? AND recognized = 1", (session_id,))
    return {int(r[0]) for r in rows}
