"""The stored embeddings: what still needs one, storing them, and the items nearest to a query vector."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from aiwisper.meaning.embedder import DIM

# What is searched by meaning, each as (kind, the SQL listing items with no embedding yet: item, text).
_PENDING = {
    "segment": "SELECT s.id, s.text FROM segments s LEFT JOIN embeddings e ON e.kind = 'segment' AND e.item = s.id"
               " WHERE e.item IS NULL AND s.text != ''",
    "memo": "SELECT m.rowid, m.text FROM memos m LEFT JOIN embeddings e ON e.kind = 'memo' AND e.item = m.rowid"
            " WHERE e.item IS NULL AND trim(m.text) != ''",
    "passage": "SELECT p.id, p.text FROM passages p LEFT JOIN embeddings e ON e.kind = 'passage' AND e.item = p.id"
               " WHERE e.item IS NULL AND p.text != ''",
}  # fmt: skip


_SOURCE = {"segment": ("segments", "id"), "memo": ("memos", "rowid"), "passage": ("passages", "id")}  # table, key


@dataclass(frozen=True)
class Item:
    kind: str
    item: int
    text: str


def pending_count(conn: sqlite3.Connection) -> int:
    return sum(conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0] for sql in _PENDING.values())


def pending(conn: sqlite3.Connection, limit: int) -> list[Item]:
    out: list[Item] = []
    for kind, sql in _PENDING.items():
        if len(out) >= limit:
            break
        out += [Item(kind, r[0], r[1]) for r in conn.execute(f"{sql} LIMIT ?", (limit - len(out),))]
    return out


def put(conn: sqlite3.Connection, items: list[Item], vectors: np.ndarray, model: str) -> int:
    """Store the vectors of `items` whose text is still what was embedded (an edit meanwhile is left pending)."""
    stored = 0
    for it, vec in zip(items, vectors, strict=True):
        table, key = _SOURCE[it.kind]
        row = conn.execute(f"SELECT text FROM {table} WHERE {key} = ?", (it.item,)).fetchone()
        if row is None or row[0] != it.text:
            continue
        conn.execute("INSERT OR REPLACE INTO embeddings (kind, item, model, vector) VALUES (?, ?, ?, ?)",
                     (it.kind, it.item, model, vec.astype(np.float16).tobytes()))  # fmt: skip
        stored += 1
    return stored


@dataclass(frozen=True)
class Near:
    kind: str
    item: int
    score: float  # cosine similarity


def nearest(conn: sqlite3.Connection, query: np.ndarray, model: str, limit: int, kinds: tuple[str, ...]) -> list[Near]:
    """The `limit` stored items most similar to `query` (a unit vector), best first."""
    marks = ",".join("?" * len(kinds))
    rows = conn.execute(f"SELECT kind, item, vector FROM embeddings WHERE model = ? AND kind IN ({marks})",
                        (model, *kinds)).fetchall()  # fmt: skip
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(r[2] for r in rows), np.float16).reshape(len(rows), DIM).astype(np.float32)
    scores = matrix @ query.astype(np.float32)
    best = np.argsort(-scores)[:limit]
    return [Near(rows[i][0], int(rows[i][1]), float(scores[i])) for i in best]
