"""The library of meeting transcripts and paraphrase queries for search by meaning (tests/data/meaning), stored as
sessions in a real database."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiwisper.sessions import store

LIBRARY = Path(__file__).parent / "data" / "meaning" / "library.json"


@dataclass(frozen=True)
class Query:
    query: str
    targets: tuple[tuple[str, int], ...]  # (session title, segment index): the one meant, and any saying the same


def queries() -> list[Query]:
    return [Query(q["query"], tuple((t, i) for t, i in [q["target"], *q.get("also", [])]))
            for q in json.loads(LIBRARY.read_text(encoding="utf-8"))["queries"]]  # fmt: skip


def store_library(conn: sqlite3.Connection) -> dict[tuple[str, int], int]:
    """Every session of the library as a finished session; (title, index) → segment id."""
    ids: dict[tuple[str, int], int] = {}
    for n, s in enumerate(json.loads(LIBRARY.read_text(encoding="utf-8"))["sessions"]):
        sid = str(uuid.uuid4())
        created = f"2026-10-{1 + n % 28:02d}T{9 + n % 8:02d}:00:00+00:00"
        store.insert_session(conn, store.SessionRow(sid, s["title"], created, created, 60_000, "done", "import",
                                                    ["mix"], "audio.wav", 16000, None, None, None))  # fmt: skip
        for i, text in enumerate(s["segments"]):
            row = store.insert_segment(conn, sid, None, "mix", i * 6000, i * 6000 + 5000, text, None, [])
            ids[(s["title"], i)] = row.id
    return ids
