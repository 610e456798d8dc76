"""Summaries in a worker process: the language model's crash, hang or memory never takes the app with it.

`SummaryWorker` is owned by one thread; `abort()` (any thread) kills the process, which cancels the request in
flight. The process keeps its model loaded between requests.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiwisper.errors import AiwisperError
from aiwisper.priorities import NICE, Work, lower_to
from aiwisper.procs import Failed, WorkerGone, WorkerProcess, incoming


@dataclass(frozen=True)
class Transcript:
    """What a summary reads: "Speaker: text" lines, each line's start in ms (None: a transcript without times),
    the folder of the search-by-meaning model that traces the notes, the meeting's language (a Whisper code;
    None: not known), and the names of its speakers as the lines give them (none: lines without speakers)."""

    lines: list[str]
    starts: list[int] | None
    embedder: Path
    language: str | None = None
    people: tuple[str, ...] = ()


class SummaryFailed(AiwisperError):
    """The summary could not be made (the model failed, or the worker stopped)."""


class Cancelled(AiwisperError):
    """The summary was cancelled."""

    code = "cancelled"


@dataclass(frozen=True)
class Summarize:
    """The notes (or another template's answer) of a transcript; `parts`: joined from the notes of its parts."""

    backend: dict[str, str]
    transcript: Transcript
    template: str
    prompt: str
    language: str | None
    parts: bool = False


@dataclass(frozen=True)
class Prepare:
    """Write and keep the notes of the parts of a growing transcript that later lines cannot change."""

    backend: dict[str, str]
    transcript: Transcript
    language: str | None


@dataclass(frozen=True)
class Ask:
    """One question about `text` (numbered excerpts of meetings)."""

    backend: dict[str, str]
    instruction: str
    text: str


@dataclass(frozen=True)
class Token:
    text: str
    stage: str  # "final", "part 2 of 5", "merging", "main points", "answer"


@dataclass(frozen=True)
class Progress:
    share: float


@dataclass(frozen=True)
class Done:
    text: str
    model: str


Request = Summarize | Prepare | Ask
Reply = Token | Progress | Done | Failed
FEW = 3  # points of the notes said in the transcript below which the main points are asked again
WRITTEN_KEEP = 256  # parts' notes the worker keeps (a part written while recording is not written again)
OVERVIEW_TOKENS = 160  # the overview of a meeting joined from its parts: three sentences


def _run(conn: Connection, llm: Any, job: Request, embedder: Any, written: OrderedDict[str, str]) -> None:
    from aiwisper.summaries.llm import ANSWER
    from aiwisper.summaries.mapreduce import PART, Budget, closed_parts, pack, summarize, summarize_parts
    from aiwisper.summaries.templates import NOTES, naming, template, written_in

    stage = [""]
    if isinstance(job, Ask):
        from aiwisper.summaries.ask import ANSWER_TOKENS

        said = llm.chat(job.instruction, job.text, lambda t: conn.send(Token(t, "answer")), ANSWER_TOKENS)
        conn.send(Done(str(said).strip(), llm.name))
        return
    lines = job.transcript.lines
    asked = template(job.template, job.prompt) if isinstance(job, Summarize) else template(NOTES)
    tpl = written_in(naming(asked, job.transcript.people), job.language)  # the language asked for, last

    def ask(instruction: str, text: str, where: str) -> str:
        stage[0] = where
        key = hashlib.sha256(f"{llm.name}\0{instruction}\0{text}".encode()).hexdigest()
        if key in written:  # a part written while the meeting was recorded
            written.move_to_end(key)
            return written[key]
        said = str(llm.chat(instruction, text, lambda t: conn.send(Token(t, stage[0]))))
        if where.startswith("part"):
            written[key] = said
            while len(written) > WRITTEN_KEEP:
                written.popitem(last=False)
        return said

    if isinstance(job, Prepare):  # a meeting being recorded: write the notes of the parts it can no longer change
        parts = closed_parts(lines, llm.count)
        for i, part in enumerate(parts):
            ask(tpl.map, part, f"part {i + 1}")
        conn.send(Done(str(len(parts)), llm.name))
        return
    progress = lambda f: conn.send(Progress(f))  # noqa: E731
    budget = Budget(llm.context, ANSWER)
    fits = len(pack(lines, budget.text, llm.count)) <= 1
    if tpl.name == NOTES and (job.parts or not fits):  # joined as a recording's are: each part's points kept,
        # one short call for the overview instead of a reduce that reads all the parts' notes again

        def overview(text: str) -> str:  # capped: a small model given the parts' overviews can copy them all
            return str(llm.chat(tpl.overview, text, lambda t: conn.send(Token(t, "final")), OVERVIEW_TOKENS))

        size = PART if job.parts else budget.text  # parts written while recording, or as large as the model takes
        text = summarize_parts(lines, tpl, llm.count, ask, lambda notes: joined(notes, overview), progress, size)
    else:
        text = summarize(lines, tpl, budget, llm.count, ask, progress)
    if tpl.name == NOTES:
        again = (lambda: ask(tpl.points, "\n".join(lines), "main points")) if fits else None
        text = traced(text, lines, job.transcript.starts, embedder, again)
    conn.send(Done(text.strip(), llm.name))


def joined(parts: list[str], write: Callable[[str], str]) -> str:
    """The notes of consecutive parts as the notes of the whole meeting: sections joined, each point once, and an
    overview that `write` (the model) makes of the parts' overviews, three sentences at most."""
    from aiwisper.summaries.notes import brief, merge, parse, render

    notes = [parse(p) for p in parts]
    whole = merge(notes)
    overviews = [n.overview for n in notes if n.overview]
    # one paragraph: given "Part 1: … Part 2: …" the model wrote the parts' overviews out again, one by one
    whole.overview = brief(" ".join(write(" ".join(overviews)).split()) if len(overviews) > 1 else "".join(overviews))
    return render(whole, lambda _: "")


def traced(markdown: str, lines: list[str], starts: list[int] | None, embedder: Any,
           again: Callable[[], str] | None = None) -> str:  # fmt: skip
    """The model's notes with a shape, each point traced to its lines of the transcript (cited by time, or by
    line number for a transcript without times). When fewer than FEW of their points were said, `again` asks the
    model for the main points in plain bullets: those said are the notes' topics (a small model given a short talk
    can fill the shape with decisions and prices nobody named)."""
    from aiwisper.summaries.notes import clock, condensed, parse, render
    from aiwisper.summaries.trace import trace

    notes = parse(markdown, len(lines))
    if notes.empty():
        return markdown  # not in the asked shape: the model's own words, unchecked
    trace(notes, lines, embedder.queries, embedder.passages)
    if again is not None and sum(p.supported for p in notes.points()) < FEW:
        plain = parse(f"## Topics\n{again()}", len(lines))
        trace(plain, lines, embedder.queries, embedder.passages)
        said = [p for p in plain.points() if p.supported]
        if said:
            notes.topics = [("", said), *notes.topics]
    return render(condensed(notes), (lambda i: clock(starts[i])) if starts else (lambda i: f"line {i + 1}"))


def _serve(conn: Connection, threads: int, nice: int) -> None:
    from aiwisper.meaning.embedder import Embedder
    from aiwisper.summaries.llm import LlamaCpp, OpenAICompatible

    loaded: dict[str, Any] = {}
    written: OrderedDict[str, str] = OrderedDict()
    lower_to(nice)  # notes are background work: live transcription comes first (priorities.py)
    for msg in incoming(conn):
        job: Request = msg
        backend = job.backend
        try:
            if backend["kind"] == "gguf":
                if loaded.get("path") != backend["path"]:
                    loaded.pop("llm", None)
                    loaded.update(path=backend["path"], llm=LlamaCpp(Path(backend["path"]), threads))
                llm = loaded["llm"]
            else:
                llm = OpenAICompatible(backend["endpoint"], backend.get("model", ""))
            folder = job.transcript.embedder if isinstance(job, Summarize) else None
            if folder is not None and loaded.get("embedder_dir") != folder:
                loaded.update(embedder_dir=folder, embedder=Embedder(folder, threads))
            _run(conn, llm, job, loaded.get("embedder"), written)
        except Exception as e:
            conn.send(Failed(str(e) if isinstance(e, AiwisperError) else f"{type(e).__name__}: {e}"))


class SummaryWorker(WorkerProcess):
    """Parent side; not thread-safe except `abort()`."""

    def __init__(self, threads: int = 2) -> None:
        super().__init__(_serve, (threads, NICE[Work.NOTES]), "aiwisper-summary")
        self._aborted = False

    def summarize(self, backend: dict[str, str], transcript: Transcript, template: str, prompt: str,
                  on_token: Callable[[str, str], None], on_progress: Callable[[float], None],
                  language: str = "", parts: bool = False) -> tuple[str, str]:  # fmt: skip
        """(text, model name) of the summary, written in `language` (a Whisper code; "": the transcript's own);
        tokens and progress are reported as they come. Meeting notes are traced to the transcript with the
        search-by-meaning model in `transcript.embedder` (a models folder). `parts`: notes joined from parts,
        for a meeting whose parts were prepared while it was recorded."""
        job = Summarize(backend, transcript, template, prompt, language or transcript.language, parts)
        return self._request(job, on_token, on_progress)

    def prepare(self, backend: dict[str, str], transcript: Transcript, language: str = "") -> int:
        """Write (and keep, in the worker) the notes of the parts of a growing transcript that later lines cannot
        change; how many parts it has. Notes asked later with `parts` reuse them."""
        job = Prepare(backend, transcript, language or transcript.language)
        return int(self._request(job, lambda *_: None, lambda _: None)[0])

    def ask(self, backend: dict[str, str], instruction: str, text: str,
            on_token: Callable[[str, str], None]) -> tuple[str, str]:  # fmt: skip
        """(answer, model name) of one question about `text` (numbered excerpts)."""
        return self._request(Ask(backend, instruction, text), on_token, lambda _: None)

    def _request(self, job: Request, on_token: Callable[[str, str], None],
                 on_progress: Callable[[float], None]) -> tuple[str, str]:  # fmt: skip
        self._aborted = False
        try:
            for reply in self.replies(job):
                if isinstance(reply, Token):
                    on_token(reply.text, reply.stage)
                elif isinstance(reply, Progress):
                    on_progress(reply.share)
                elif isinstance(reply, Done):
                    return reply.text, reply.model
                else:
                    raise SummaryFailed(reply.error)
        except WorkerGone as e:
            if self._aborted:
                raise Cancelled("cancelled") from e
            raise SummaryFailed(f"the summary worker stopped (exit code {e.exitcode})") from e
        raise SummaryFailed("the summary worker ended without an answer")

    def abort(self) -> None:
        """From any thread: stop the request in flight now (the process is killed)."""
        self._aborted = True
        super().abort()
