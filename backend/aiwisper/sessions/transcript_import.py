"""Transcripts made elsewhere, as sessions without audio: a WebVTT or SRT export (Zoom, Teams, Meet; the speaker
from `<v Name>` or a "Name:" prefix) or a TXT of "Name: text" lines (no times). The session is searchable, has
notes and speakers by name, like any other."""

from __future__ import annotations

import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import InvalidArgumentError
from aiwisper.sessions import store
from aiwisper.storage.db import Database

KIND = "transcript"
SOURCE = "transcript"
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_NAMED = re.compile(r"^\s*([^\W\d][\w.'’ -]{0,40}?)\s*:\s+(\S.*)$")


@dataclass(frozen=True)
class Line:
    start_ms: int
    end_ms: int
    speaker: str  # "" when the file names nobody
    text: str


def _ms(h: str | None, m: str, s: str, frac: str) -> int:
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


def _named(text: str) -> tuple[str, str]:
    voice = _VOICE.search(text)
    if voice:
        return voice.group(1).strip(), _TAG.sub("", text).strip()
    text = _TAG.sub("", text).strip()
    m = _NAMED.match(text)
    if m and len(m.group(1).split()) <= 4:
        return m.group(1).strip(), m.group(2).strip()
    return "", text


def parse_cues(text: str) -> list[Line]:
    """WebVTT or SRT cues: a time line, then the cue's text up to a blank line."""
    out: list[Line] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in blocks:
        rows = [r for r in block.split("\n") if r.strip()]
        at = next((i for i, r in enumerate(rows) if _CUE.match(r)), None)
        if at is None:
            continue  # the WEBVTT header, a NOTE or STYLE block
        m = _CUE.match(rows[at])
        assert m is not None
        body = " ".join(r.strip() for r in rows[at + 1 :])
        speaker, words = _named(body)
        if words:
            out.append(Line(_ms(*m.groups()[:4]), _ms(*m.groups()[4:]), speaker, words))
    return out


def parse_lines(text: str) -> list[Line]:
    """A TXT transcript: "Name: text" lines; a line without a name continues the one before."""
    out: list[Line] = []
    for row in text.splitlines():
        if not row.strip():
            continue
        speaker, words = _named(row)
        if not speaker and out:
            out[-1] = Line(0, 0, out[-1].speaker, f"{out[-1].text} {words}")
        else:
            out.append(Line(0, 0, speaker, words))
    return out


def read(path: Path) -> list[Line]:
    """The lines of a transcript file, or a clear error that names the file."""
    if not path.is_file():
        raise InvalidArgumentError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidArgumentError(f"{path.name}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    suffix = path.suffix.lower()
    if suffix not in (".vtt", ".srt", ".txt"):
        raise InvalidArgumentError(f"{path.name}: a transcript must be .vtt, .srt or .txt")
    lines = parse_cues(text) if suffix in (".vtt", ".srt") or _CUE.search(text) else parse_lines(text)
    if not lines:
        kind = "WebVTT/SRT cues" if suffix != ".txt" else '"Name: text" lines'
        raise InvalidArgumentError(f"{path.name}: no transcript found (expected {kind})")
    return lines


def import_transcript(db: Database, path: Path) -> str:
    """A new session holding the transcript in `path`; its id."""
    lines = read(path)
    session_id = str(uuid.uuid4())
    names = list(dict.fromkeys(line.speaker for line in lines if line.speaker))
    row = store.SessionRow(
        id=session_id, title=path.stem, created_at=store.now_iso(), ended_at=store.now_iso(),
        duration_ms=max(line.end_ms for line in lines), status=store.Status.DONE, kind=KIND, sources=[SOURCE],
        audio_file="",
        sample_rate=0, language=None, model=None, error=None,
    )  # fmt: skip

    def write(c: sqlite3.Connection) -> None:
        store.insert_session(c, row)
        c.executemany("INSERT INTO speakers (session_id, speaker, name) VALUES (?,?,?)",
                      [(session_id, i, name) for i, name in enumerate(names)])  # fmt: skip
        for line in lines:
            speaker = names.index(line.speaker) if line.speaker else None
            store.insert_segment(c, session_id, None, SOURCE, line.start_ms, line.end_ms, line.text, None, [], speaker)

    db.write(write)
    return session_id
