"""Every point of the notes traced to the transcript. The search-by-meaning model finds the stretches of the
transcript closest to a point; the point is supported when a good share of its content words were said there
(words compared by their first five letters: "waterproof" and "waterproofing" are one). Meaning alone cannot
tell apart two meetings on the same subject (e5-small scores a point 0.81-0.85 against an unrelated meeting,
0.85-0.90 against its own); the words said can (bench/notes.py prints both). A point nothing supports is marked,
as is one stating a figure (a number, an amount, a date) nobody said; an action item's owner must be a speaker or
a name said in the transcript (a label the model put where the owner goes is dropped)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from aiwisper.summaries.figures import figures, unsaid
from aiwisper.summaries.notes import Notes, Point

Embed = Callable[[list[str]], np.ndarray]  # texts → one row per text
SUPPORTED = 0.34  # share of a point's content words said near its best stretch; on the 6 dev meetings' 127 points
# (bench/notes.py): 114 supported in their own meeting, 2 against a meeting of another corpus
CANDIDATES = 5  # stretches proposed for each point by the meaning model, and as many by the words they share
AROUND = 2  # lines either side of a proposed line that count as its stretch
MAX_CITES = 3
STEM = 5
_STOP_WORDS = (
    "the and for with that this they them their will are was were its from have has had not but about which who "
    "what when would could should also there here some very more most other than then into our you she his her "
    "all any can did does been being each how just like may might must one only own same such too use used using "
    "well yes yeah okay uh um mm hmm meeting group team "
    # the commonest function words of the other languages the notes are written in (de, fr, es, pt)
    "der die das und ist sich nicht mit von den auf eine ein einen dass des dem wie sie ihr wir hat sind wurde auch "
    "les des une est que qui pour dans par sur pas avec sont aux ont été "
    "los las del una que por para con son como más pero sus "
    "uma por para com não mais seu sua são foi"
)
_STOP = frozenset(_STOP_WORDS.split(" "))
_WORD = re.compile(r"[^\W_]+")
_SPEAKER = re.compile(r"^([^:]{1,60}):\s")
_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b")
_OWNER_WORDS = re.compile(r"\b(?:the|our|team|group|everyone|all)\b", re.I)  # not "a": "PhD A"
_LOWER = re.compile(r"\b[a-z]{3,}\b")
# what a model writes before a colon in an action item when it names no one: "Task: …", "Next steps: …"
_LABEL_WORDS = frozenset(("task", "tasks", "action", "actions", "item", "items", "next", "step", "steps", "follow",
                          "todo", "owner", "assignee", "unassigned", "unknown", "tbd"))  # fmt: skip


def _unit(m: np.ndarray) -> np.ndarray:
    out: np.ndarray = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return out


def content(text: str) -> set[str]:
    """The text's content words, by their first letters."""
    return {w[:STEM] for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def windows(lines: list[str]) -> list[str]:
    """The stretch of lines around each line (the line before, it, the line after)."""
    return [" ".join(lines[max(0, i - 1) : i + 2]) for i in range(len(lines))]


def speakers(lines: list[str]) -> tuple[str, ...]:
    """The speakers of "Speaker: text" lines, in order of their first line."""
    return tuple(dict.fromkeys(m.group(1).strip() for line in lines if (m := _SPEAKER.match(line))))


def known_owner(owner: str, lines: list[str], who: tuple[str, ...]) -> bool:
    """Whether `owner` is one of the speakers (all of its words, or all of a speaker's), or a name said in the
    transcript (every word of it said, capitalised). "PhD A" is not "Professor A"; "Anna" is "Anna Smith"."""
    words = set(_OWNER_WORDS.sub(" ", owner).lower().split())
    if not words:
        return False
    for label in who:
        said_as = set(label.lower().split())
        if said_as and (words <= said_as or said_as <= words):
            return True
    said = {n.lower() for line in lines for n in _NAME.findall(_SPEAKER.sub("", line))}
    said |= {part for n in said for part in n.split()}
    return all(w in said for w in words)


def lower_words(lines: list[str]) -> set[str]:
    """The words said in lower case in the transcript (as words, not names), and those that name no one ("task")."""
    return {w for line in lines for w in _LOWER.findall(_SPEAKER.sub("", line))} | _LABEL_WORDS


def label(owner: str, plain: set[str]) -> bool:
    """Whether an unknown `owner` is a label, not a person ("Check Batteries", "Connecting to OGI System"): one of
    its words is in `plain` (lower_words of the transcript)."""
    return any(w.lower() in plain for w in re.findall(r"[^\W\d_]+", owner))


def trace(notes: Notes, lines: list[str], queries: Embed, passages: Embed) -> None:
    """Set each point's supporting lines and whether it is supported; owners nobody said lose their name."""
    points = notes.points()
    if not points or not lines:
        for p in points:
            p.supported, p.lines = False, []
        return
    stretch = _unit(passages(windows(lines)))
    scores = _unit(queries([f"{p.owner} {p.text}".strip() for p in points])) @ stretch.T
    said = [content(line) for line in lines]  # who said it counts: "the Project Manager proposed…"
    who = speakers(lines)
    names = {w for label in who for w in content(label)}
    stated = figures(" ".join(_SPEAKER.sub("", line) for line in lines)) | figures(" ".join(who))  # "Speaker 2"
    plain: set[str] | None = None  # read from the transcript only when an owner is unknown
    for p, row in zip(points, scores, strict=True):
        _cite(p, row, said, names)
        if p.supported and (invented := unsaid(p.text, stated)):  # a date or an amount nobody said
            p.supported = False
            p.text = f"{p.text} ({', '.join(sorted(map(str, invented)))} not said)"
        if p.owner and not known_owner(p.owner, lines, who):
            plain = lower_words(lines) if plain is None else plain
            if not label(p.owner, plain):  # a name nobody said is shown as such; a label is dropped
                p.text = f"{p.text} (owner “{p.owner}” is not in the transcript)"
            p.owner = ""


def _cite(p: Point, row: np.ndarray, said: list[set[str]], names: set[str]) -> None:
    words = content(p.text)
    if len(words - names) < 2:  # "Anna: Proposed": a point that says only who has nothing to check
        p.support, p.supported, p.lines = 0.0, False, []
        return
    found: list[tuple[float, int]] = []
    stretches = [set().union(*said[max(0, i - AROUND) : i + AROUND + 1]) for i in range(len(said))]
    by_words = sorted(range(len(said)), key=lambda i: -len(words & stretches[i]))[:CANDIDATES]
    for i in dict.fromkeys([*(int(x) for x in np.argsort(-row)[:CANDIDATES]), *by_words]):
        found.append((len(words & stretches[i]) / max(1, len(words)), i))
    best = max(share for share, _ in found)
    chosen: list[int] = []
    for share, i in sorted(found, key=lambda f: -f[0]):
        if share >= max(SUPPORTED, best - 0.1) and len(chosen) < MAX_CITES and all(abs(i - c) > AROUND for c in chosen):
            chosen.append(i)
    p.support = round(best, 3)
    p.supported = best >= SUPPORTED
    # each citation is the line of its stretch that says most of the point's words: a click plays that moment
    p.lines = sorted({max(range(max(0, i - AROUND), min(len(said), i + AROUND + 1)),
                          key=lambda j: (len(words & said[j]), -abs(j - i))) for i in chosen})  # fmt: skip
