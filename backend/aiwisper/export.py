"""Transcript exports: TXT, SRT, VTT, JSON, Markdown, DOCX. The CLI, the API and the UI's list (generated) use
the formats defined here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, get_args

from aiwisper.errors import InvalidArgumentError
from aiwisper.sessions.store import SegmentRow, SessionRow

SPEAKERS = {"mic": "Me", "system": "Them", "left": "Left", "right": "Right"}  # sources: live, a stereo call
Names = dict[int, str]  # a session's speakers by number (sessions.speaker_names.names)


def speaker_name(session: SessionRow, seg: SegmentRow, names: Names) -> str | None:
    """The diarized speaker's name, else "Me"/"Them" when both mic and system were recorded ("Left"/"Right" for a
    stereo call imported channel by channel), else None."""
    if seg.speaker is not None:
        return names.get(seg.speaker, f"Speaker {seg.speaker + 1}")
    return SPEAKERS.get(seg.source, seg.source) if len(session.sources) > 1 else None


def _label(session: SessionRow, seg: SegmentRow, names: Names) -> str:
    name = speaker_name(session, seg, names)
    return f"{name}: " if name else ""


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


def to_txt(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    return "\n".join(f"{_label(session, s, names)}{s.text}" for s in segments) + ("\n" if segments else "")


def to_srt(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    blocks = [
        f"{i}\n{clock(a)} --> {clock(b)}\n{_label(session, s, names)}{s.text}\n"
        for i, (a, b, s) in enumerate(_cues(segments), 1)
    ]
    return "\n".join(blocks)


def to_vtt(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    def voice(s: SegmentRow) -> str:  # WebVTT voice tags: <v Name>text
        name = speaker_name(session, s, names)
        return f"<v {name}>{s.text}" if name else s.text

    blocks = [f"{clock(a, '.')} --> {clock(b, '.')}\n{voice(s)}\n" for a, b, s in _cues(segments)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_json(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    doc: dict[str, Any] = {
        "id": session.id,
        "title": session.title,
        "created_at": session.created_at,
        "duration_ms": session.duration_ms,
        "language": session.language,
        "sources": session.sources,
        "segments": [
            {"start_ms": s.start_ms, "end_ms": s.end_ms, "source": s.source, "text": s.text,
             "original_text": s.original_text, "confidence": s.confidence, "words": s.words,
             "speaker": speaker_name(session, s, names)}
            for s in segments
        ],
    }  # fmt: skip
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_md(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    lines = [
        f"# {session.title}",
        "",
        f"*{session.created_at[:16].replace('T', ' ')} UTC, {clock(session.duration_ms, '.', False)[:-4]}*",
        "",
    ]
    for s in segments:
        lines.append(f"**[{clock(s.start_ms, '.', False)[:-4]}]** {_label(session, s, names)}{s.text}  ")
    return "\n".join(lines) + "\n"


def to_rttm(session: SessionRow, segments: list[SegmentRow], names: Names) -> str:
    """NIST RTTM: one SPEAKER line per segment, the speaker's name with spaces as underscores."""
    lines = []
    for s in segments:
        who = "_".join((speaker_name(session, s, names) or "speaker").split())
        lines.append(f"SPEAKER {session.id} 1 {s.start_ms / 1000:.3f} {(s.end_ms - s.start_ms) / 1000:.3f} <NA> <NA> "
                     f"{who} <NA> <NA>\n")  # fmt: skip
    return "".join(lines)


FORMATS: dict[str, tuple[Callable[[SessionRow, list[SegmentRow], Names], str], str]] = {
    "txt": (to_txt, "text/plain"),
    "srt": (to_srt, "application/x-subrip"),
    "vtt": (to_vtt, "text/vtt"),
    "json": (to_json, "application/json"),
    "md": (to_md, "text/markdown"),
    "rttm": (to_rttm, "text/plain"),
}


ExportFormat = Literal["txt", "srt", "vtt", "json", "md", "docx", "rttm"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export(session: SessionRow, segments: list[SegmentRow], fmt: str, names: Names | None = None,
           memo: str = "", summary: str = "") -> str:  # fmt: skip
    """The transcript in a text format, with the session's memo and latest summary in the formats meant for
    reading (TXT, Markdown, JSON; subtitles and RTTM are the transcript only); an unknown format is a clear error."""
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    text = FORMATS[fmt][0](session, segments, names or {})
    memo, summary = memo.strip(), summary.strip()
    if fmt == "json":
        doc = json.loads(text)
        doc["memo"], doc["summary"] = memo, summary
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    sections = [(name, body) for name, body in (("Summary", summary), ("Notes", memo)) if body]
    if not sections or fmt not in ("txt", "md"):
        return text
    if fmt == "txt":
        return "".join(f"{name}:\n{body}\n\n" for name, body in sections) + f"Transcript:\n{text}"
    head, _, rest = text.partition("\n\n")  # Markdown: the title, then the date line
    date, _, transcript = rest.partition("\n\n")
    extra = "".join(f"## {name}\n\n{body}\n\n" for name, body in sections)
    return f"{head}\n\n{date}\n\n{extra}## Transcript\n\n{transcript}"


def render(session: SessionRow, segments: list[SegmentRow], fmt: str, names: Names | None = None,
           memo: str = "", summary: str = "") -> tuple[bytes, str]:  # fmt: skip
    """(content, mime type) of the transcript in any export format, DOCX included."""
    if fmt == "docx":
        from aiwisper.export_docx import docx

        lines = [(f"[{clock(s.start_ms, '.', False)[:-4]}]", f"{_label(session, s, names or {})}{s.text}")
                 for s in segments]  # fmt: skip
        notes = [(f"{name}:", line) for name, body in (("Summary", summary), ("Notes", memo))
                 for line in body.strip().splitlines() if line.strip()]  # fmt: skip
        return docx(session.title, notes + lines), DOCX_MIME
    text = export(session, segments, fmt, names, memo, summary)  # refuses an unknown format
    return text.encode("utf-8"), FORMATS[fmt][1]
