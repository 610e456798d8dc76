"""The transcript as the notes model reads it: filler words dropped ("uh", "um", "hmm"), a line left with nothing
said dropped, and a speaker's consecutive lines joined under one label. The words said are kept; the model reads
fewer tokens (ICSI Bro005, an hour: 12,785 tokens without labels → 11,610; prompt reading is most of an import's
notes time). Points are still traced to the transcript's own lines, not to these. Pure logic."""

from __future__ import annotations

import re
from collections.abc import Sequence

RUN_WORDS = 150  # a speaker's consecutive lines are joined up to this many words (a part holds ~1,000 words)
# hesitations in the languages the notes are written in most (en, de, fr); "erm", not "er" (German for "he")
_FILLER = re.compile(r"(?i)(?<![\w'’-])(?:u+h+|u+m+|h+m+|m+h*m+|e+r+m+|a+h+|e+h+m*|ä+h+m*|e+u+h+)(?![\w'’-])\s*,?")
_EMPTY_PUNCT = re.compile(r"\s*,(?=\s*[.?!,])|\s+(?=[.?!,])")  # "some, ." → "some."; "it ." → "it."
_LEADING = re.compile(r"^[\s,.;:!?-]+")


def unfilled(text: str) -> str:
    """The text without filler words; empty when nothing else was said."""
    out = _EMPTY_PUNCT.sub("", _FILLER.sub("", text))
    out = _LEADING.sub("", " ".join(out.split()))
    if not any(c.isalnum() for c in out):
        return ""
    return out[0].upper() + out[1:] if text[:1].isupper() and not out[:1].isupper() else out


def for_model(lines: Sequence[str], people: Sequence[str] = ()) -> list[str]:
    """`lines` ("Speaker: text", or text alone) as the model reads them: fillers dropped, empty lines dropped, and
    consecutive lines of one of `people` joined up to RUN_WORDS words. A transcript that is still growing keeps
    its earlier lines: only the last line can grow."""
    labels = tuple(f"{p}: " for p in people)
    out: list[str] = []
    speaker = ""  # the label of out[-1] while it can take more of the same speaker's lines
    for line in lines:
        label = next((x for x in labels if line.startswith(x)), "")
        said = unfilled(line[len(label) :])
        if not said:
            continue
        if label and label == speaker and len(out[-1].split()) + len(said.split()) <= RUN_WORDS + 1:
            out[-1] = f"{out[-1]} {said}"
            continue
        out.append(f"{label}{said}")
        speaker = label
    return out
