"""Transcript exports: TXT, SRT, VTT, JSON, Markdown, DOCX. The CLI, the API and the UI's list (generated) use
the formats defined here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, get_args

from aiwisper.errors import InvalidArgumentError
from aiwisper.sessions.store import SegmentRow, SessionRow

SPEAKERS = {"mic": "Me", "system": "Them"}


def _label(session: SessionRow, seg: SegmentRow) -> str:
    """ "Me:"/"Them:" when both mic and system were recorded, else nothing."""
    return f"{SPEAKERS.get(seg.source, seg.source)}: " if len(session.sources) > 1 else ""


def clock(ms: int, sep: str = ",", hours: bool = True) -> str:
    h, rem = divmod(max(ms, 0), 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}" if hours or h else f"{m:02d}:{s:02d}{sep}{milli:03d}"


def _cues(segments: list[SegmentRow]) -> list[tuple[int, int, SegmentRow]]:
    """Cue times a player accepts: increasing, non-overlapping, each at least 1 ms long."""
    out = []
    last_end = 0
    for seg in segments:
        start = max(seg.start_ms, last_end)
        end = max(seg.end_ms, start + 1)
        out.append((start, end, seg))
        last_end = end
    return out


def to_txt(session: SessionRow, segments: list[SegmentRow]) -> str:
    return "\n".join(f"{_label(session, s)}{s.text}" for s in segments) + ("\n" if segments else "")


def to_srt(session: SessionRow, segments: list[SegmentRow]) -> str:
    blocks = [
        f"{i}\n{clock(a)} --> {clock(b)}\n{_label(session, s)}{s.text}\n"
        for i, (a, b, s) in enumerate(_cues(segments), 1)
    ]
    return "\n".join(blocks)


def to_vtt(session: SessionRow, segments: list[SegmentRow]) -> str:
    blocks = [f"{clock(a, '.')} --> {clock(b, '.')}\n{_label(session, s)}{s.text}\n" for a, b, s in _cues(segments)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_json(session: SessionRow, segments: list[SegmentRow]) -> str:
    doc: dict[str, Any] = {
        "id": session.id,
        "title": session.title,
        "created_at": session.created_at,
        "duration_ms": session.duration_ms,
        "language": session.language,
        "sources": session.sources,
        "segments": [
            {"start_ms": s.start_ms, "end_ms": s.end_ms, "source": s.source, "text": s.text,
             "original_text": s.original_text, "confidence": s.confidence, "words": s.words}
            for s in segments
        ],
    }  # fmt: skip
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_md(session: SessionRow, segments: list[SegmentRow]) -> str:
    lines = [
        f"# {session.title}",
        "",
        f"*{session.created_at[:16].replace('T', ' ')} UTC, {clock(session.duration_ms, '.', False)[:-4]}*",
        "",
    ]
    for s in segments:
        lines.append(f"**[{clock(s.start_ms, '.', False)[:-4]}]** {_label(session, s)}{s.text}  ")
    return "\n".join(lines) + "\n"


FORMATS: dict[str, tuple[Callable[[SessionRow, list[SegmentRow]], str], str]] = {
    "txt": (to_txt, "text/plain"),
    "srt": (to_srt, "application/x-subrip"),
    "vtt": (to_vtt, "text/vtt"),
    "json": (to_json, "application/json"),
    "md": (to_md, "text/markdown"),
}


ExportFormat = Literal["txt", "srt", "vtt", "json", "md", "docx"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export(session: SessionRow, segments: list[SegmentRow], fmt: str) -> str:
    """The transcript in a text format; an unknown format is a clear error."""
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return FORMATS[fmt][0](session, segments)


def render(session: SessionRow, segments: list[SegmentRow], fmt: str) -> tuple[bytes, str]:
    """(content, mime type) of the transcript in any export format, DOCX included."""
    if fmt == "docx":
        from aiwisper.export_docx import docx

        lines = [(f"[{clock(s.start_ms, '.', False)[:-4]}]", s.text) for s in segments]
        return docx(session.title, lines), DOCX_MIME
    text = export(session, segments, fmt)  # refuses an unknown format
    return text.encode("utf-8"), FORMATS[fmt][1]
