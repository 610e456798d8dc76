"""What the UI asks of stored sessions: listing, search, rename, delete, corrections."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import InvalidArgumentError, NotFoundError
from aiwisper.export import SPEAKERS
from aiwisper.sessions import memo as memos
from aiwisper.sessions import speaker_names as speakers
from aiwisper.sessions import store
from aiwisper.sessions.memo import Memo


def check_uuid(value: str, what: str) -> str:
    """Ids of sessions and documents are UUIDs; anything else (paths, `..`) is refused before it reaches the
    disk, as "no <what> …"."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise NotFoundError(f"no {what} {str(value)[:60]!r}") from None


def check_session_id(session_id: str) -> str:
    return check_uuid(session_id, "session")


@dataclass(frozen=True)
class SessionSummary:
    """A session as listed: `status` says "transcribing" while chunks wait, `stored_status` is the row's own."""

    id: str
    title: str
    created_at: str
    ended_at: str | None
    duration_ms: int
    status: str
    stored_status: str
    kind: str
    sources: list[str]
    language: str | None
    model: str | None
    error: str | None
    chunks: int
    pending_chunks: int
    failed_chunks: int
    people: list[str]  # the speakers' names (empty until diarized)
    notes_line: str  # the first line of its newest meeting notes, without marks or citations ("": none yet)
    notes_state: str | None  # the newest meeting notes' state (queued | running | done | failed | cancelled)
    finding_speakers: bool  # its speakers are being found (set by the command, from the speakers' service)


@dataclass(frozen=True)
class ChunkInfo:
    """A chunk of a session, in milliseconds of its audio."""

    id: int
    source: str
    start_ms: int
    end_ms: int
    status: str
    error: str | None


@dataclass(frozen=True)
class SpeakerInfo:
    """A speaker of a session: the number its segments carry, and its name ("Speaker 1"… until renamed)."""

    speaker: int
    name: str
    recognized: bool = False  # named by the voice library, not by the user
    talk_ms: int = 0  # how long their segments last in all


@dataclass(frozen=True)
class SessionDetail(SessionSummary):
    """A session with its transcript, chunks, speakers (empty until diarized) and the user's memo."""

    segments: list[store.SegmentRow]
    chunk_list: list[ChunkInfo]
    speakers: list[SpeakerInfo]
    memo: Memo


@dataclass(frozen=True)
class SessionPage:
    """One page of sessions and how many match in all."""

    total: int
    sessions: list[SessionSummary]


@dataclass(frozen=True)
class SearchHit:
    """What matches a search, with a snippet that marks hits as [word]: a transcript segment (`kind` "segment"),
    a session's memo ("memo": no segment, time 0) or a passage of a document ("document": no session; its
    document, position and PDF page instead)."""

    kind: str
    segment_id: int
    session_id: str
    start_ms: int
    end_ms: int
    source: str
    title: str
    created_at: str
    snippet: str
    speaker: str  # who said it: a speaker's name, "Me"/"Them" on a call, or empty
    document_id: str = ""
    position: int = 0
    page: int | None = None
    match: str = "exact"  # "exact": every word is there; "meaning": found by what it says (`score`: similarity)
    score: float = 0.0


def _summary(conn: sqlite3.Connection, s: store.SessionRow) -> SessionSummary:
    counts = dict(
        conn.execute("SELECT status, COUNT(*) FROM chunks WHERE session_id = ? GROUP BY status", (s.id,)).fetchall()
    )
    pending = counts.get("pending", 0)
    status = store.Status.TRANSCRIBING if pending and s.status in store.FINISHED else s.status
    notes = conn.execute(
        "SELECT text, state FROM summaries WHERE session_id = ? AND template = ? ORDER BY created_at DESC LIMIT 1",
        (s.id, "notes"),  # summaries.templates.NOTES (summaries reads sessions, not the other way round)
    ).fetchone()
    return SessionSummary(
        id=s.id, title=s.title, created_at=s.created_at, ended_at=s.ended_at, duration_ms=s.duration_ms,
        status=status, stored_status=s.status, kind=s.kind, sources=s.sources, language=s.language, model=s.model,
        error=s.error, chunks=sum(counts.values()), pending_chunks=pending, failed_chunks=counts.get("failed", 0),
        people=list(speakers.names(conn, s.id).values()), notes_line=first_line(notes[0]) if notes else "",
        notes_state=notes[1] if notes else None, finding_speakers=False,
    )  # fmt: skip


_MARKS = re.compile(r"\s*\[\d+:\d{2}(?::\d{2})?\]|\*\*|^[-*]\s+")


def first_line(notes: str, limit: int = 160) -> str:
    """What a library row shows of a meeting's notes: the first line that says something (not a heading), without
    bullets, bold marks or cited times, cut at a word near `limit` characters."""
    for line in notes.splitlines():
        text = " ".join(_MARKS.sub("", line.strip()).split())
        if text and not line.lstrip().startswith("#"):
            return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return ""


def fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must appear (prefix match); no FTS syntax leaks through."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(f'"{w}"*' for w in words[:20])


def list_sessions(conn: sqlite3.Connection, query: str = "", limit: int = 50, offset: int = 0) -> SessionPage:
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidArgumentError("limit must be 1 to 500 and offset not negative")
    where, args = "", []
    if query.strip():
        match = fts_query(query)
        like = f"%{query.strip()}%"
        where = (
            "WHERE title LIKE ? "
            + (
                "OR id IN (SELECT session_id FROM segments WHERE id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?))"  # noqa: E501
                " OR id IN (SELECT session_id FROM memos WHERE rowid IN (SELECT rowid FROM memos_fts WHERE memos_fts MATCH ?))"  # noqa: E501
                if match
                else ""
            )
            + " OR id IN (SELECT session_id FROM speakers WHERE name LIKE ?)"
        )
        args = [like, match, match, like] if match else [like, like]
    total = conn.execute(f"SELECT COUNT(*) FROM sessions {where}", args).fetchone()[0]
    rows = conn.execute(f"SELECT * FROM sessions {where} ORDER BY created_at DESC LIMIT ? OFFSET ?",
                        [*args, limit, offset]).fetchall()  # fmt: skip
    return SessionPage(total, [_summary(conn, store.SessionRow.from_row(r)) for r in rows])


def get_session(conn: sqlite3.Connection, session_id: str) -> SessionDetail:
    s = store.get_session(conn, check_session_id(session_id))
    chunks = [
        ChunkInfo(c.id, c.source, c.start_sample * 1000 // s.sample_rate, c.end_sample * 1000 // s.sample_rate,
                  c.status, c.error)
        for c in store.chunks_of(conn, s.id)
    ]  # fmt: skip
    known = speakers.recognized(conn, s.id)
    talk = dict(conn.execute("SELECT speaker, SUM(end_ms - start_ms) FROM segments WHERE session_id = ?"
                             " AND speaker IS NOT NULL GROUP BY speaker", (s.id,)).fetchall())  # fmt: skip
    people = [SpeakerInfo(n, name, n in known, talk.get(n, 0)) for n, name in speakers.names(conn, s.id).items()]
    return SessionDetail(**vars(_summary(conn, s)), segments=store.segments_of(conn, s.id), chunk_list=chunks,
                         speakers=people, memo=memos.get(conn, s.id))  # fmt: skip


def rename(conn: sqlite3.Connection, session_id: str, title: str) -> None:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 200:
        raise InvalidArgumentError("a title is 1 to 200 characters")
    if conn.execute("UPDATE sessions SET title = ? WHERE id = ?", (title, check_session_id(session_id))).rowcount == 0:
        raise NotFoundError(f"no session {session_id}")


def delete(conn: sqlite3.Connection, data_dir: Path, session_id: str) -> None:
    sid = check_session_id(session_id)
    store.get_session(conn, sid)
    store.delete_session(conn, sid)
    shutil.rmtree(data_dir / "sessions" / sid, ignore_errors=True)


def edit_segment(conn: sqlite3.Connection, segment_id: int, text: str) -> store.SegmentRow:
    """The user's correction; the engine's text is kept as `original_text` (the first time only)."""
    text = " ".join(text.split())
    if not text or len(text) > 10_000:
        raise InvalidArgumentError("the text must be 1 to 10000 characters")
    row = conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no segment {segment_id}")
    original = row["original_text"] if row["original_text"] is not None else row["text"]
    conn.execute("UPDATE segments SET text = ?, original_text = ? WHERE id = ?",
                 (text, None if text == original else original, segment_id))  # fmt: skip
    return store.SegmentRow.from_row(conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone())


def _memo_hits(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "SELECT m.session_id, se.title, se.created_at, snippet(memos_fts, 0, '[', ']', '…', 12) AS snippet"
        " FROM memos_fts JOIN memos m ON m.rowid = memos_fts.rowid JOIN sessions se ON se.id = m.session_id"
        " WHERE memos_fts MATCH ? ORDER BY se.created_at DESC LIMIT ?",
        (match, limit),
    ).fetchall()
    return [SearchHit("memo", 0, r["session_id"], 0, 0, "memo", r["title"], r["created_at"], r["snippet"], "")
            for r in rows]  # fmt: skip


def _document_hits(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "SELECT p.document_id, p.position, p.page, d.title, d.added_at, snippet(passages_fts, 0, '[', ']', '…', 12)"
        " AS snippet FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid"
        " JOIN documents d ON d.id = p.document_id WHERE passages_fts MATCH ? ORDER BY d.added_at DESC, p.position"
        " LIMIT ?",
        (match, limit),
    ).fetchall()
    return [SearchHit("document", 0, "", 0, 0, "document", r["title"], r["added_at"], r["snippet"], "",
                      r["document_id"], r["position"], r["page"]) for r in rows]  # fmt: skip


def speaker_of(conn: sqlite3.Connection, names: dict[str, dict[int, str]], r: sqlite3.Row) -> str:
    """Who said a segment row: the diarized speaker's name, else Me/Them on a call, else nobody."""
    if r["speaker"] is not None:
        return names.setdefault(r["session_id"], speakers.names(conn, r["session_id"])).get(r["speaker"], "")
    return SPEAKERS.get(r["source"], "") if len(json.loads(r["sources"])) > 1 else ""


def search(conn: sqlite3.Connection, query: str, limit: int = 50, speaker: str = "") -> list[SearchHit]:
    """Full-text hits across every session and document: memos first, then segments, then document passages (up to
    `limit` of each kind), newest first, with a snippet, the time to seek to and who said it (the diarized
    speaker's name, else Me/Them on a call); `speaker` keeps only what that name said."""
    match = fts_query(query)
    if not match:
        return []
    wanted = " ".join(speaker.split()).casefold()
    limit = max(1, min(limit, 500))
    hits = [] if wanted else _memo_hits(conn, match, limit)
    rows = conn.execute(
        "SELECT s.id AS segment_id, s.session_id, s.start_ms, s.end_ms, s.source, s.speaker, se.title,"
        " se.created_at, se.sources, snippet(segments_fts, 0, '[', ']', '…', 12) AS snippet"
        " FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid JOIN sessions se ON se.id = s.session_id"
        " WHERE segments_fts MATCH ? ORDER BY se.created_at DESC, s.start_ms LIMIT ?",
        (match, limit if not wanted else 5000),
    ).fetchall()
    names: dict[str, dict[int, str]] = {}
    segments: list[SearchHit] = []
    for r in rows:
        who = speaker_of(conn, names, r)
        if wanted and who.casefold() != wanted:
            continue
        fields = dict(r)
        del fields["speaker"], fields["sources"]
        segments.append(SearchHit(kind="segment", **fields, speaker=who))
        if len(segments) >= limit:
            break
    return hits + segments + ([] if wanted else _document_hits(conn, match, limit))


SNIPPET_CHARS = 240


def short(text: str) -> str:
    """A hit's text on one line, cut at a word near `SNIPPET_CHARS`."""
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
