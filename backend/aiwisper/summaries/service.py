"""The summary queue: one thread owns the worker; requests run in order, stream their tokens as events, can be
cancelled, and are stored with the template and model that made them."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import numpy as np

from aiwisper.errors import AiwisperError, InvalidArgumentError, NotFoundError
from aiwisper.events import (
    ChunkTranscribed,
    DiarizationUpdated,
    Event,
    EventBus,
    SessionUpdated,
    SummaryToken,
    SummaryUpdated,
)
from aiwisper.export import speaker_name
from aiwisper.languages import check_language
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import speaker_names as speakers
from aiwisper.sessions import store as sessions
from aiwisper.settings import Settings
from aiwisper.storage.db import Database
from aiwisper.summaries import store
from aiwisper.summaries.ask import Answer, check_question, run_ask
from aiwisper.summaries.gguf import FILE, check_gguf
from aiwisper.summaries.llm import check_endpoint
from aiwisper.summaries.store import State, SummaryInfo
from aiwisper.summaries.templates import NOTES, template
from aiwisper.summaries.worker import Cancelled, SummaryWorker, Transcript

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between progress events
PREPARE_EVERY = 60.0  # seconds between looks at a recording's transcript for parts to write


def transcript(db: Database, session_id: str, embedder: Path) -> Transcript:
    """The session's transcript, one "Speaker: text" line per segment with its start (no starts for a transcript
    imported without times)."""
    session = db.read(lambda c: sessions.get_session(c, session_id))
    segments = [s for s in db.read(lambda c: sessions.segments_of(c, session_id)) if s.text.strip()]
    names = db.read(lambda c: speakers.names(c, session_id))
    lines: list[str] = []
    people: dict[str, None] = {}  # in order of first word
    for s in segments:
        who = speaker_name(session, s, names)
        lines.append(f"{who}: {s.text.strip()}" if who else s.text.strip())
        if who:
            people[who] = None
    timed = any(s.end_ms > 0 for s in segments)
    starts = [s.start_ms for s in segments] if timed else None
    return Transcript(lines, starts, embedder, session.language, tuple(people))


def choose_backend(folders: list[Path], model: str = "", endpoint: str = "") -> dict[str, str]:
    """An OpenAI-compatible `endpoint` if given, else the GGUF `model` (a path, or a file name in the models
    folders; empty: the default), checked now."""
    if endpoint.strip():
        return {"kind": "endpoint", "endpoint": check_endpoint(endpoint), "model": ""}
    name = model.strip() or FILE
    candidates = [Path(name)] if Path(name).is_absolute() or Path(name).exists() else [f / name for f in folders]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        where = ", ".join(str(f) for f in folders)
        raise InvalidArgumentError(f"no language model {name} in {where}: put it in one of these folders (a packaged "
                                   "build looks in models/ beside the program), or give a GGUF file, or set "
                                   "summaries.endpoint")  # fmt: skip
    return {"kind": "gguf", "path": str(check_gguf(found))}


def model_name(backend: dict[str, str]) -> str:
    """What a summary records as its model: the GGUF file's name, or the endpoint."""
    return Path(backend["path"]).name if backend["kind"] == "gguf" else backend["endpoint"]


def run_summary(db: Database, worker: SummaryWorker, info: SummaryInfo, backend: dict[str, str], lines: Transcript,
                on_token: Callable[[str, str], None], on_progress: Callable[[float], None],
                on_running: Callable[[], None] = lambda: None,
                parts: bool = False) -> tuple[State, str | None]:  # fmt: skip
    """Run one stored request to its end, recording each state: (final state, error). A cancelled or failed
    summary keeps the final answer's text written so far. `parts`: notes joined from parts (those of a meeting
    prepared while it was recorded)."""
    db.write(lambda c: store.update(c, info.id, State.RUNNING))
    on_running()
    final: list[str] = []

    def token(text: str, stage: str) -> None:
        if stage == "final":
            final.append(text)
        on_token(text, stage)

    try:
        text, model = worker.summarize(backend, lines, info.template, info.prompt, token, on_progress, info.language,
                                       parts)  # fmt: skip
    except Cancelled:
        db.write(lambda c: store.update(c, info.id, State.CANCELLED, text="".join(final)))
        return State.CANCELLED, None
    except AiwisperError as e:
        error = str(e)
        db.write(lambda c: store.update(c, info.id, State.FAILED, text="".join(final), error=error))
        return State.FAILED, error
    db.write(lambda c: store.update(c, info.id, State.DONE, text=text, model=model))
    return State.DONE, None


class SummaryService:
    """Owner of the summary thread and worker; `close()` stops both.

    With `summaries.auto`, a session's notes are written when it is transcribed; while a meeting is recorded, the
    notes of its parts that later speech cannot change are written in the background (`PREPARE_EVERY`), so that
    Stop leaves only the last part and the overview."""

    def __init__(self, db: Database, bus: EventBus, settings: Settings, registry: ModelRegistry) -> None:
        self.db, self.bus, self.settings, self.registry = db, bus, settings, registry
        db.write(store.interrupted)
        self._queue: queue.Queue[str | Callable[[], None] | None] = queue.Queue()
        self._worker = SummaryWorker()
        self._lock = threading.Lock()
        self._current: str | None = None
        self._unfinished = 0  # items queued or in hand
        self._closed = False
        self._prepared: dict[str, float] = {}  # live sessions whose parts are being written → when last asked
        self._preparing: set[str] = set()  # queued, not yet run
        self._thread = threading.Thread(target=self._run, name="aiwisper-summaries", daemon=True)
        self._thread.start()
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        """On the publisher's thread: queue work, nothing more."""
        if not self.settings.flag("summaries.auto") or self._closed:
            return
        if isinstance(event, ChunkTranscribed) and event.segments:
            sid = event.session_id
            with self._lock:
                due = time.monotonic() - self._prepared.get(sid, -PREPARE_EVERY) >= PREPARE_EVERY
                if not due or sid in self._preparing:
                    return
                self._preparing.add(sid)
            self._put(lambda: self._prepare(sid))
        elif isinstance(event, SessionUpdated) and event.status in sessions.FINISHED and event.pending_chunks == 0:
            # a recording's notes at once (speakers come later); an import's after its speakers are found
            self._put(lambda: self._auto(event.session_id, not self.settings.flag("speakers.auto")))
        elif isinstance(event, DiarizationUpdated) and event.state in ("done", "failed"):
            self._put(lambda: self._auto(event.session_id, True))

    def _prepare(self, session_id: str) -> None:
        with self._lock:
            self._preparing.discard(session_id)
        session = self.db.read(lambda c: sessions.get_session(c, session_id))
        if session.status != sessions.Status.RECORDING:
            return
        with self._lock:
            self._prepared[session_id] = time.monotonic()
        lines = transcript(self.db, session_id, self.registry.embedding_models_dir())
        parts = self._worker.prepare(self.backend(), lines)
        log.info("notes of %s: %d parts written while recording", session_id, parts)

    def _auto(self, session_id: str, imported_too: bool) -> None:
        """The notes of a session just transcribed (of a recording; of an import too if `imported_too`), unless it
        has some (or asked for some) already."""
        try:
            session = self.db.read(lambda c: sessions.get_session(c, session_id))
        except NotFoundError:
            return  # deleted meanwhile
        if session.kind != "recording" and not imported_too:
            return
        if self.db.read(lambda c: store.of_session(c, session_id)):
            return
        if transcript(self.db, session_id, self.registry.embedding_models_dir()).lines:
            self.create(session_id, NOTES)

    def backend(self) -> dict[str, str]:
        return choose_backend(self.registry.folders, self.settings.text("summaries.model"),
                              self.settings.text("summaries.endpoint"))  # fmt: skip

    def create(self, session_id: str, template_name: str = NOTES, prompt: str = "", language: str = "") -> SummaryInfo:
        """Queue a summary of a stored session, written in `language` (a Whisper code; "": the meeting's own)."""
        template_name = template(template_name, prompt).name  # a clear error for an unknown one or an empty prompt
        language = check_language(language) or ""
        backend = self.backend()
        model = model_name(backend)
        self.db.read(lambda c: sessions.get_session(c, session_id))
        info = self.db.write(lambda c: store.create(c, session_id, template_name, prompt.strip(), model, language))
        self.bus.publish(SummaryUpdated(info.id, session_id, State.QUEUED))
        self._put(info.id)
        return info

    def ask(self, question: str, vector: np.ndarray, session_id: str = "") -> Answer:
        """Answer a question about a session (or the whole library with no id) on the summary thread; `vector` is
        the question's query vector from the search-by-meaning model. Waits for a summary in flight to end."""
        question = check_question(question)
        backend = self.backend()
        done: Future[Answer] = Future()

        def job() -> None:
            try:
                done.set_result(run_ask(self.db, self._worker, backend, question, vector, session_id))
            except Exception as e:
                done.set_exception(e)

        self._put(job)
        while not self._closed:
            try:
                return done.result(timeout=0.5)
            except FutureTimeout:
                continue
        raise AiwisperError("the app is closing: the question was not answered")

    def busy(self) -> bool:
        """Notes, a question or a recording's parts are in hand or queued (the search index waits meanwhile)."""
        with self._lock:
            return self._unfinished > 0

    def _put(self, item: str | Callable[[], None]) -> None:
        """Queue work; counted until the thread has done it (`busy` is never false between taking and doing)."""
        with self._lock:
            self._unfinished += 1
        self._queue.put(item)

    def wait_idle(self, timeout: float) -> bool:
        """Whether the work queued so far (summaries, questions, parts of recordings) ended within `timeout` s."""
        done = threading.Event()
        self._put(done.set)
        return done.wait(timeout)

    def cancel(self, summary_id: str) -> SummaryInfo:
        info = self.db.read(lambda c: store.get(c, summary_id))
        with self._lock:
            if self._current == summary_id:
                self._worker.abort()
            elif info.state == State.QUEUED:
                self.db.write(lambda c: store.update(c, summary_id, State.CANCELLED))
                self.bus.publish(SummaryUpdated(summary_id, info.session_id, State.CANCELLED))
        return self.db.read(lambda c: store.get(c, summary_id))

    def _run(self) -> None:
        while True:
            summary_id = self._queue.get()
            if summary_id is None:
                return
            try:
                if callable(summary_id):  # a question, asked between summaries
                    summary_id()
                else:
                    self._job(summary_id)
            except Exception:
                log.exception("summary %s failed", summary_id)
            finally:
                with self._lock:
                    self._unfinished -= 1

    def _job(self, summary_id: str) -> None:
        info = self.db.read(lambda c: store.get(c, summary_id))
        if info.state != State.QUEUED:
            return  # cancelled while queued
        sid = info.session_id
        lines = transcript(self.db, sid, self.registry.embedding_models_dir())
        try:
            if not lines.lines:
                raise AiwisperError("the session has no transcript yet")
            backend = self.backend()
        except AiwisperError as e:
            reason = str(e)
            self.db.write(lambda c: store.update(c, summary_id, State.FAILED, error=reason))
            self.bus.publish(SummaryUpdated(summary_id, sid, State.FAILED, error=reason))
            return
        with self._lock:
            self._current = summary_id
        last = [0.0]

        def token(text: str, stage: str) -> None:
            self.bus.publish(SummaryToken(summary_id, sid, text, stage))

        def progress(share: float) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY:
                last[0] = time.monotonic()
                self.bus.publish(SummaryUpdated(summary_id, sid, State.RUNNING, progress=round(share, 3)))

        began = time.monotonic()
        try:
            running = SummaryUpdated(summary_id, sid, State.RUNNING)
            state, error = run_summary(self.db, self._worker, info, backend, lines, token, progress,
                                       lambda: self.bus.publish(running), sid in self._prepared)  # fmt: skip
        finally:
            with self._lock:
                self._current = None
        if state == State.FAILED and not self._closed:
            log.warning("summary of %s failed: %s", sid, error)
        else:
            log.info("summary of %s (%s): %s in %.1f s", sid, info.template, state, time.monotonic() - began)
        self.bus.publish(
            SummaryUpdated(summary_id, sid, state, progress=1.0 if state == State.DONE else 0.0, error=error)
        )

    def close(self) -> None:
        """Stop the thread and the worker (a summary in flight is cancelled); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._queue.put(None)
        self._worker.abort()
        self._thread.join(10)
        self._worker.close()
