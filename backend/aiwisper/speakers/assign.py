"""Speakers for transcript segments: each word goes to the turn it overlaps most (or the nearest one), and a
segment whose words change speaker is split there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiwisper.sessions.store import Word
from aiwisper.speakers.diarize import Turn


@dataclass(frozen=True)
class Piece:
    """A segment, or the part of one, that one speaker said."""

    start_ms: int
    end_ms: int
    text: str
    words: list[Word]
    speaker: int


def speaker_at(turns: Sequence[Turn], start_ms: int, end_ms: int) -> int | None:
    """The speaker of the turn overlapping [start, end) most (in overlapped speech, where two turns cover it all,
    the longer turn: who holds the floor), else of the nearest turn; None without turns."""
    if not turns:
        return None
    covered, _, speaker = max((min(end_ms, t.end_ms) - max(start_ms, t.start_ms), t.end_ms - t.start_ms, t.speaker)
                              for t in turns)  # fmt: skip
    if covered > 0:
        return speaker
    mid = (start_ms + end_ms) // 2
    return min(turns, key=lambda t: min(abs(mid - t.start_ms), abs(mid - t.end_ms))).speaker


def split(start_ms: int, end_ms: int, text: str, words: list[Word], turns: Sequence[Turn]) -> list[Piece]:
    """One piece per run of words by the same speaker (one piece when the segment has no word times)."""
    whole = speaker_at(turns, start_ms, end_ms)
    if whole is None:
        return []
    if not words:
        return [Piece(start_ms, end_ms, text, words, whole)]
    runs: list[tuple[int, list[Word]]] = []
    for w in words:
        who = speaker_at(turns, w["start_ms"], max(w["end_ms"], w["start_ms"] + 1))
        assert who is not None
        if runs and runs[-1][0] == who:
            runs[-1][1].append(w)
        else:
            runs.append((who, [w]))
    if len(runs) == 1:
        return [Piece(start_ms, end_ms, text, words, runs[0][0])]
    pieces = []
    for i, (who, ws) in enumerate(runs):
        lo = start_ms if i == 0 else ws[0]["start_ms"]
        hi = end_ms if i == len(runs) - 1 else runs[i + 1][1][0]["start_ms"]
        pieces.append(Piece(lo, max(hi, lo + 1), " ".join(w["text"].strip() for w in ws).strip(), ws, who))
    return pieces
