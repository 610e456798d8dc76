"""Summaries of transcripts longer than the model's context: the transcript is cut into parts that fit (map),
each part's notes are joined (reduce), in rounds until one answer remains. Pure logic: the model is a callable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiwisper.summaries.templates import Template

PART = 1500  # tokens of a part of a meeting whose notes are written while it is recorded (about 6-9 minutes of talk)
Count = Callable[[str], int]  # tokens in a text
Ask = Callable[[str, str, str], str]  # (instruction, text, stage) → the model's answer


@dataclass(frozen=True)
class Budget:
    """Tokens: the model's context, what the answer may use, and the prompt's own overhead."""

    context: int
    answer: int
    overhead: int = 96

    @property
    def text(self) -> int:
        return self.context - self.answer - self.overhead


def pack(lines: list[str], budget: int, count: Count) -> list[str]:
    """Consecutive lines joined into parts of at most `budget` tokens; a longer line is cut by words."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        pieces = [line] if count(line) <= budget else _split(line, budget, count)
        for piece in pieces:
            n = count(piece) + 1
            if current and used + n > budget:
                parts.append("\n".join(current))
                current, used = [], 0
            current.append(piece)
            used += n
    if current:
        parts.append("\n".join(current))
    return parts


def _split(line: str, budget: int, count: Count) -> list[str]:
    out, words = [], line.split()
    while words:
        take = len(words)
        while take > 1 and count(" ".join(words[:take])) > budget:
            take = max(1, take * 3 // 4)
        out.append(" ".join(words[:take]))
        words = words[take:]
    return out


def summarize(lines: list[str], tpl: Template, budget: Budget, count: Count, ask: Ask,
              progress: Callable[[float], None] = lambda _: None) -> str:  # fmt: skip
    """The answer for the whole transcript: one call when it fits, else map → reduce rounds."""
    parts = pack(lines, budget.text, count)
    if not parts:
        return ""
    if len(parts) == 1:
        progress(0.0)
        return ask(tpl.whole, parts[0], "final")
    notes = _each_part(parts, tpl, ask, progress)
    while True:
        progress(len(parts) / (len(parts) + 1))
        joined = pack(notes, budget.text, count)
        if len(joined) == 1:
            return ask(tpl.reduce, joined[0], "final")
        if len(joined) >= len(notes):  # notes that no longer shrink: keep the first of each round
            return "\n".join(notes)
        notes = [ask(tpl.reduce, j, "merging").strip() for j in joined]


def closed_parts(lines: list[str], count: Count, size: int = PART) -> list[str]:
    """The parts of a transcript that is still growing which later lines cannot change: all but the last. The
    packing is greedy, so a longer transcript starts with the same parts."""
    return pack(lines, size, count)[:-1]


def summarize_parts(lines: list[str], tpl: Template, count: Count, ask: Ask, join: Callable[[list[str]], str],
                    progress: Callable[[float], None] = lambda _: None, size: int = PART) -> str:  # fmt: skip
    """The answer from the notes of parts of `size` tokens, joined by `join` (not by the model): for a meeting
    whose parts were written while it was recorded, only the last part is left to write."""
    parts = pack(lines, size, count)
    if len(parts) <= 1:
        progress(0.0)
        return ask(tpl.whole, parts[0], "final") if parts else ""
    notes = _each_part(parts, tpl, ask, progress)
    progress(len(parts) / (len(parts) + 1))
    return join(notes)


def _each_part(parts: list[str], tpl: Template, ask: Ask, progress: Callable[[float], None]) -> list[str]:
    """The map step: the answer for each part, in order."""
    notes = []
    for i, part in enumerate(parts):
        progress(i / (len(parts) + 1))
        notes.append(ask(tpl.map, part, f"part {i + 1} of {len(parts)}").strip())
    return notes
