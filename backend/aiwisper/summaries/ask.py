"""Ask the meeting (or the whole library): the segments nearest in meaning to the question, from the search index,
each with the lines around it, are numbered excerpts; the notes model answers from them and cites their numbers,
which become times to play. A number the model invents is dropped; an answer without any citation says so."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from aiwisper.errors import InvalidArgumentError
from aiwisper.export import speaker_name
from aiwisper.meaning.index import nearest
from aiwisper.sessions import speaker_names as speakers
from aiwisper.sessions import store as sessions
from aiwisper.storage.db import Database
from aiwisper.summaries.notes import clock
from aiwisper.summaries.trace import content

EXCERPTS = 6  # stretches of transcript given to the model
LEXICAL = 3  # of them, at most this many found by the question's words
AROUND = 4  # segments either side of a retrieved one
ANSWER_TOKENS = 300
NOT_FOUND = "Not found in the meeting."
_CITE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: a session, the time to play from (ms; `line` counts for a transcript without
    times), the words said there."""

    session_id: str
    title: str
    start_ms: int
    line: int  # 1-based position of the segment in its session
    timed: bool
    text: str

    def where(self, library: bool) -> str:
        at = clock(self.start_ms) if self.timed else f"line {self.line}"
        return f"{self.title}, {at}" if library else at


@dataclass
class Excerpt:
    source: Source
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # the answer with its citations as [m:ss] (or [Title, m:ss] over the library)
    sources: list[Source]  # the excerpts it cites, in the order cited
    model: str = ""


def check_question(question: str) -> str:
    q = " ".join(question.split())
    if not q:
        raise InvalidArgumentError("ask a question: it is empty")
    if len(q) > 1000:
        raise InvalidArgumentError("the question is too long (at most 1,000 characters)")
    return q


def retrieve(conn: sqlite3.Connection, vector: np.ndarray, model: str, session_id: str = "",
             count: int = EXCERPTS, question: str = "") -> list[Excerpt]:  # fmt: skip
    """The `count` stretches nearest to `vector` (a unit query vector), in the session or the whole library; in a
    session, taken in turns with the stretches that say most of the `question`'s words."""
    words = content(question)
    if session_id:
        sessions.get_session(conn, session_id)  # a clear error for an unknown id
    cache: dict[str, tuple[str, bool, list[tuple[int, int, str]]]] = {}
    picked: list[tuple[str, int]] = []  # (session, index of the segment)
    ranked = [n.item for n in nearest(conn, vector, model, 2000 if session_id else 400, ("segment",))]
    if session_id and words:  # and the stretches that share most of the question's words
        _, _, segs = cache.setdefault(session_id, _lines(conn, session_id))
        said = [content(t) for _, _, t in segs]
        near = [len(words & set().union(*said[max(0, i - AROUND) : i + AROUND + 1])) for i in range(len(segs))]
        best = sorted((i for i in range(len(segs)) if near[i]), key=lambda i: -near[i])[:LEXICAL]
        ranked = [x for pair in zip(ranked, [segs[i][0] for i in best], strict=False) for x in pair] + ranked[LEXICAL:]
    for item in ranked:
        row = conn.execute("SELECT session_id FROM segments WHERE id = ?", (item,)).fetchone()
        if row is None or (session_id and row[0] != session_id):
            continue
        title, timed, segs = cache.get(row[0]) or cache.setdefault(row[0], _lines(conn, row[0]))
        at = next((i for i, s in enumerate(segs) if s[0] == item), None)
        if at is None or any(s == row[0] and abs(i - at) <= AROUND for s, i in picked):
            continue  # inside a stretch already picked
        picked.append((row[0], at))
        if len(picked) >= count:
            break
    out = []
    for sid, at in picked:
        title, timed, segs = cache[sid]
        _, start, text = segs[at]
        around = segs[max(0, at - AROUND) : at + AROUND + 1]
        out.append(Excerpt(Source(sid, title, start, at + 1, timed, text), [t for _, _, t in around]))
    return out


def _lines(conn: sqlite3.Connection, session_id: str) -> tuple[str, bool, list[tuple[int, int, str]]]:
    session = sessions.get_session(conn, session_id)
    names = speakers.names(conn, session_id)
    segs = [s for s in sessions.segments_of(conn, session_id) if s.text.strip()]
    out = []
    for s in segs:
        who = speaker_name(session, s, names)
        out.append((s.id, s.start_ms, f"{who}: {s.text.strip()}" if who else s.text.strip()))
    return session.title or "Untitled", any(s.end_ms > 0 for s in segs), out


def context(excerpts: list[Excerpt], library: bool) -> str:
    """The excerpts as numbered blocks the model cites."""
    blocks = []
    for n, e in enumerate(excerpts, 1):
        where = f" ({e.source.title})" if library else ""
        blocks.append(f"[{n}]{where}\n" + "\n".join(e.lines))
    return "\n\n".join(blocks)


def instruction(question: str) -> str:
    return (f"Question: {question}\nAnswer it in one to three sentences from the numbered excerpts of meeting "
            "transcripts above: say what the people said about it. After each sentence write in brackets the number "
            "of the excerpt it comes from, like [2].")  # fmt: skip


def answer(question: str, draft: str, excerpts: list[Excerpt], library: bool, model: str = "") -> Answer:
    """The model's draft with each excerpt number replaced by its time; numbers that name no excerpt are dropped."""
    cited: list[Source] = []

    def place(m: re.Match[str]) -> str:
        marks = []
        for part in m.group(1).split(","):
            n = int(part)
            if 1 <= n <= len(excerpts):
                src = excerpts[n - 1].source
                if src not in cited:
                    cited.append(src)
                marks.append(f"[{src.where(library)}]")
        return " " + " ".join(dict.fromkeys(marks)) if marks else ""

    text = _CITE.sub(place, draft.strip()).strip()
    if not text or text.lower().startswith(NOT_FOUND.lower().rstrip(".")):
        return Answer(question, NOT_FOUND, [], model)
    if not cited:
        text = f"{text} (no excerpt cited: check it against the transcript)"
    return Answer(question, text, cited, model)


class Asker(Protocol):
    def ask(self, backend: dict[str, str], instruction: str, text: str,
            on_token: Callable[[str, str], None]) -> tuple[str, str]: ...  # fmt: skip


def run_ask(db: Database, worker: Asker, backend: dict[str, str], question: str, vector: np.ndarray,
            session_id: str = "", on_token: Callable[[str, str], None] = lambda _t, _s: None) -> Answer:  # fmt: skip
    """Retrieve the excerpts, ask the model, cite: the whole of one question."""
    from aiwisper.meaning.embedder import MODEL_NAME

    excerpts = db.read(lambda c: retrieve(c, vector, MODEL_NAME, session_id, question=question))
    if not excerpts:
        return Answer(question, NOT_FOUND, [])
    library = not session_id
    draft, model = worker.ask(backend, instruction(question), context(excerpts, library), on_token)
    return answer(question, draft, excerpts, library, model)
