"""Search by meaning over the library: the stored items nearest to a query's vector, as hits of the same shape
as the full-text ones (which stay first)."""

from __future__ import annotations

import sqlite3
from typing import Any

from aiwisper.meaning.index import nearest
from aiwisper.sessions.library import SearchHit, short, speaker_of

MIN_SIMILARITY = 0.78  # below this, multilingual-e5's cosine says "unrelated" (its scores bunch in 0.7-0.9)
NEAR_BEST = 0.05  # and only hits this close to the best one: the rest is noise around the few that mean the same
MEANING_HITS = 10  # at most this many hits by meaning after the exact ones


def merge_meaning(conn: sqlite3.Connection, exact: list[SearchHit], vector: Any, model: str, limit: int,
                  speaker: str = "") -> list[SearchHit]:  # fmt: skip
    """`exact` (full-text hits, kept first) followed by the stored items nearest in meaning to `vector` that are
    not among them: segments (with the time to jump to), memos and document passages (with their page)."""
    wanted = " ".join(speaker.split()).casefold()
    seen = {(h.kind, h.segment_id, h.session_id, h.document_id, h.position) for h in exact}
    kinds = ("segment",) if wanted else ("segment", "memo", "passage")
    names: dict[str, dict[int, str]] = {}
    found: list[SearchHit] = []
    floor = MIN_SIMILARITY
    for near in nearest(conn, vector, model, 200, kinds):
        if near.score < floor or len(found) >= min(limit, MEANING_HITS):
            break
        hit = _meaning_hit(conn, names, near.kind, near.item, near.score)
        if hit is None or (wanted and hit.speaker.casefold() != wanted):
            continue
        key = (hit.kind, hit.segment_id, hit.session_id, hit.document_id, hit.position)
        if key not in seen:
            seen.add(key)
            found.append(hit)
            floor = max(floor, found[0].score - NEAR_BEST)  # near the best new hit: the rest is noise
    return exact + found


def _meaning_hit(conn: sqlite3.Connection, names: dict[str, dict[int, str]], kind: str, item: int,
                 score: float) -> SearchHit | None:  # fmt: skip
    if kind == "segment":
        r = conn.execute(
            "SELECT s.id AS segment_id, s.session_id, s.start_ms, s.end_ms, s.source, s.speaker, s.text, se.title,"
            " se.created_at, se.sources FROM segments s JOIN sessions se ON se.id = s.session_id WHERE s.id = ?",
            (item,),
        ).fetchone()
        if r is None:
            return None
        return SearchHit("segment", r["segment_id"], r["session_id"], r["start_ms"], r["end_ms"], r["source"],
                         r["title"], r["created_at"], short(r["text"]), speaker_of(conn, names, r), match="meaning",
                         score=score)  # fmt: skip
    if kind == "memo":
        r = conn.execute("SELECT m.session_id, m.text, se.title, se.created_at FROM memos m JOIN sessions se"
                         " ON se.id = m.session_id WHERE m.rowid = ?", (item,)).fetchone()  # fmt: skip
        if r is None:
            return None
        return SearchHit("memo", 0, r["session_id"], 0, 0, "memo", r["title"], r["created_at"], short(r["text"]),
                         "", match="meaning", score=score)  # fmt: skip
    r = conn.execute("SELECT p.document_id, p.position, p.page, p.text, d.title, d.added_at FROM passages p"
                     " JOIN documents d ON d.id = p.document_id WHERE p.id = ?", (item,)).fetchone()  # fmt: skip
    if r is None:
        return None
    return SearchHit("document", 0, "", 0, 0, "document", r["title"], r["added_at"], short(r["text"]), "",
                     r["document_id"], r["position"], r["page"], match="meaning", score=score)  # fmt: skip
