"""The transcription service: one thread owns the engine worker and works through, in order:

1. pending chunks of the session being recorded (finals first: they replace partials);
2. a partial of the chunk being spoken now (when nothing else waits, about once a second);
3. the queued jobs (imports, re-transcriptions), first come first served;
4. any other pending chunk (recovered sessions).

Pending chunks live in SQLite, so the queue is unbounded on disk and small in
memory, and it survives a crash. A worker crash or hang retries the chunk, at
most twice; then the chunk is marked failed and the session goes on. A second
thread decodes imported files so decoding never delays live text.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from aiwisper.asr.types import DecodeOptions, EngineResult
from aiwisper.asr.whisper_cpp import LIVE_FINAL_FLOOR, EngineError, audio_ctx_for
from aiwisper.asr.worker import EngineWorker, WorkerCrashed, default_threads
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import is_digital_silence
from aiwisper.errors import AiwisperError, InvalidArgumentError, NotFoundError
from aiwisper.events import (
    ChunkFailed,
    ChunkTranscribed,
    Error,
    Event,
    EventBus,
    PartialTranscript,
    SessionStopped,
    SessionUpdated,
)
from aiwisper.files.importer import Cancelled, import_file
from aiwisper.languages import check_language, detected
from aiwisper.models.registry import InstalledModel, ModelRegistry
from aiwisper.segmenter import Chunk, ChunkMerger, VadOptions
from aiwisper.sessions import store
from aiwisper.sessions.audio import read_range
from aiwisper.sessions.recorder import Recorder
from aiwisper.sessions.recovery import VadFactory
from aiwisper.settings import Settings
from aiwisper.storage.db import Database
from aiwisper.transcription.guard import GuardOptions, filter_segments, guard
from aiwisper.transcription.jobs import Job
from aiwisper.transcription.live import LivePolicy, OpenChunk
from aiwisper.transcription.prompt import engine_prompt

MAX_RETRIES = 2


def _ms(samples: int) -> int:
    return samples * 1000 // SAMPLE_RATE


def _windows(chunks: list[store.ChunkRow]) -> list[list[int]]:
    """Neighbouring chunks of one source joined into windows of up to 28 s: full context for the model."""
    groups: list[list[int]] = []
    for source in dict.fromkeys(c.source for c in chunks):
        merger = ChunkMerger()
        mine = [c for c in chunks if c.source == source]
        by_range = {(c.start_sample, c.end_sample): c.id for c in mine}
        spans = merger.push([Chunk(c.start_sample, c.end_sample) for c in mine]) + merger.finish()
        for span in spans:
            groups.append([cid for (a, b), cid in by_range.items() if span.start <= a and b <= span.end])
    return groups


@dataclass
class _Work:
    chunk: store.ChunkRow  # for a re-transcription window: the first chunk, stretched to the window's end
    job: Job | None = None
    replaces: list[int] = field(default_factory=list)  # chunks the window's text takes the place of

    @property
    def redo(self) -> bool:
        return self.job is not None and self.job.kind == "retranscribe"


class TranscriptionService:
    """Owner of the engine worker and the job queue. `close()` stops both threads."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        bus: EventBus,
        registry: ModelRegistry,
        settings: Settings,
        recorder: Recorder | None,
        vad: VadFactory,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.bus = bus
        self.registry = registry
        self.settings = settings
        self.recorder = recorder
        self.vad = vad
        self.worker = EngineWorker()
        self.policy = LivePolicy()
        # open chunk (session, source, start, closing end) → (model, options, result) of its speculative final
        self._speculative: dict[tuple[str, str, int, int], tuple[Path, DecodeOptions, EngineResult] | None] = {}
        self.guard = GuardOptions.from_settings(settings)
        self._jobs: deque[Job] = deque()
        self._all_jobs: dict[str, Job] = {}  # every job of this run, by id
        self._imports: deque[Job] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._import_wake = threading.Event()
        self._stop = threading.Event()
        self._closed = False
        self.idle = threading.Event()  # set while nothing is left to do (tests and the CLI wait on it)
        self._unsubscribe = bus.subscribe(self._on_event)
        if recorder is not None:
            recorder.chunk_listeners.append(lambda _row: self._wake.set())
        self._thread = threading.Thread(target=self._run, name="transcriber", daemon=True)
        self._import_thread = threading.Thread(target=self._run_imports, name="importer", daemon=True)
        self._thread.start()
        self._import_thread.start()

    # --- public API (any thread) -----------------------------------------------------------

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._all_jobs.values())

    def import_files(
        self, paths: list[Path], model: str | None = None, language: str | None = "default", vocabulary: str = ""
    ) -> list[Job]:
        """Queue files for import; each becomes a session transcribed through the same queue."""
        # unknown model, or English-only for another language: refused now; English-only + auto: English
        lang = self._resolve(model, self._language(language))[1]
        jobs = [Job("import", p.name, path=p, model=model, language=lang, detect_language=lang is None,
                    vocabulary=vocabulary.strip()) for p in paths]  # fmt: skip
        with self._lock:
            for job in jobs:
                self._all_jobs[job.id] = job
                self._imports.append(job)
        for job in jobs:
            self.bus.publish(job.event())
        self._import_wake.set()
        self._wake.set()  # the transcriber loads the model meanwhile
        return jobs

    def retranscribe(
        self, session_id: str, chunk_ids: list[int] | None = None, start_ms: int | None = None,
        end_ms: int | None = None, model: str | None = None, language: str | None = "default",
        after_pending: bool = False,
    ) -> Job:  # fmt: skip
        """Queue a session, some chunks, or a time range, for transcription again; old text stays until done."""
        session = self.db.read(lambda c: store.get_session(c, session_id))
        lang = self._language(language) if language != "default" else session.language
        lang = self._resolve(model or session.model, lang)[1]
        chunks = self.db.read(lambda c: store.chunks_of(c, session_id))
        if chunk_ids is not None:
            missing = set(chunk_ids) - {c.id for c in chunks}
            if missing:
                raise NotFoundError(f"no chunk {sorted(missing)[0]} in session {session_id}")
            chunks = [c for c in chunks if c.id in set(chunk_ids)]
        if start_ms is not None or end_ms is not None:
            a = (start_ms or 0) * SAMPLE_RATE // 1000
            b = (end_ms if end_ms is not None else 1 << 40) * SAMPLE_RATE // 1000
            if b <= a:
                raise InvalidArgumentError("the time range is empty")
            chunks = [c for c in chunks if c.end_sample > a and c.start_sample < b]
        if not chunks:
            raise InvalidArgumentError("nothing to transcribe there: no speech was found in that range")
        job = Job("retranscribe", session.title, session_id=session_id, groups=_windows(chunks), model=model,
                  language=lang, detect_language=lang is None, after_pending=after_pending,
                  total_samples=sum(c.end_sample - c.start_sample for c in chunks))  # fmt: skip
        with self._lock:
            self._all_jobs[job.id] = job
            self._jobs.append(job)
        self.bus.publish(job.event())
        self._wake.set()
        return job

    def cancel(self, job_id: str) -> Job:
        with self._lock:
            job = self._all_jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"no job {job_id}")
            if job.finished:
                return job
            job.cancel.set()
            if job.state == "queued":
                job.state = "cancelled"
                if job in self._imports:
                    self._imports.remove(job)
                if job in self._jobs:
                    self._jobs.remove(job)
        if job.state == "cancelled":
            self.bus.publish(job.event())
        self._wake.set()
        return job

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no work is left (pending chunks, jobs, imports)."""
        self._wake.set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle.wait(0.05) and self._nothing_left():
                return True
        return False

    def close(self) -> None:
        """Stop the threads and the worker; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._stop.set()
        self._wake.set()
        self._import_wake.set()
        for job in self.jobs():
            job.cancel.set()
        self._import_thread.join(30)
        self._thread.join(60)
        self.worker.close()

    # --- helpers ---------------------------------------------------------------------------

    def _language(self, language: str | None) -> str | None:
        if language == "default":
            language = self.settings["transcription.language"]
        return check_language(language)

    def _model_for(self, name: str | None, language: str | None) -> InstalledModel:
        return self._resolve(name, language)[0]

    def _resolve(self, name: str | None, language: str | None) -> tuple[InstalledModel, str | None]:
        """The model to use and the language it will transcribe (an English-only model: always 'en')."""
        return self.registry.resolve(name or self.settings["transcription.model"] or None, language)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionStopped):
            second = self.settings["transcription.second_pass_model"]
            if second and event.reason != "error":
                with contextlib.suppress(AiwisperError):  # no speech, or the model is gone: nothing to do
                    self.retranscribe(event.session_id, model=second, after_pending=True)
            self._wake.set()

    def _nothing_left(self) -> bool:
        with self._lock:
            busy = any(not j.finished for j in self._all_jobs.values())
        if busy:
            return False
        return (
            self.db.read(lambda c: c.execute("SELECT 1 FROM chunks WHERE status = 'pending' LIMIT 1").fetchone())
            is None
        )

    # --- importer thread -------------------------------------------------------------------

    def _run_imports(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                job = self._imports.popleft() if self._imports else None
                if job is not None:
                    job.state, job.started = "running", time.monotonic()
            if job is None:
                self._import_wake.wait(0.5)
                self._import_wake.clear()
                continue
            self.bus.publish(job.event())
            assert job.path is not None

            def progress(row: store.SessionRow, fraction: float, job: Job = job) -> None:
                job.session_id, job.decoded = row.id, fraction
                self.bus.publish(job.event())

            try:
                vad_options = VadOptions.from_settings(self.settings)
                session = import_file(job.path, self.db, self.data_dir, self.vad, vad_options, job.language, job.model,
                                      job.cancel, progress, job.vocabulary, job.level)  # fmt: skip
                chunks = self.db.read(partial(store.chunks_of, session_id=session.id))
                with self._lock:
                    job.session_id, job.decoded = session.id, 1.0
                    job.total_samples = sum(c.end_sample - c.start_sample for c in chunks)
                    if not chunks:
                        job.state = "done"  # no speech at all: nothing to transcribe
                    else:
                        self._jobs.append(job)
            except Cancelled:
                job.state = "cancelled"
            except AiwisperError as e:
                job.state, job.error = "failed", str(e)
            except Exception as e:  # an unexpected decoder failure must not end the thread
                job.state, job.error = "failed", f"{job.title}: import failed: {e}"
            self.bus.publish(job.event())
            self._wake.set()

    # --- transcriber thread ----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                did = self._step()
            except Exception as e:  # keep the thread alive; the error goes to the UI
                self.bus.publish(Error(None, "transcription", f"transcription failed: {e}"))
                did = False
            if not did:
                self.idle.set()
                self._wake.wait(0.1)
                self._wake.clear()
            else:
                self.idle.clear()

    def _step(self) -> bool:
        """Do the most urgent piece of work; False when there was none."""
        recording = self.recorder.session_id if self.recorder is not None else None
        if recording:
            chunk = self.db.read(lambda c: store.next_pending_chunk(c, recording))
            if chunk is not None:
                self._transcribe(_Work(chunk))
                return True
        if self._partial():
            return True
        work = self._job_work()
        if work is not None:
            self._transcribe(work)
            return True
        chunk = self.db.read(lambda c: store.next_pending_chunk(c))
        if chunk is not None:
            self._transcribe(_Work(chunk, self._import_job_of(chunk.session_id)))
            return True
        return self._warm_up()

    def _warm_up(self) -> bool:
        """While a file is still decoding, load its model so its first chunk starts at once."""
        with self._lock:
            job = next((j for j in self._imports if not j.cancel.is_set()), None)
            job = job or next((j for j in self._all_jobs.values() if j.kind == "import" and j.state == "running"
                               and j.decoded < 1.0), None)  # fmt: skip
        if job is None:
            return False
        try:
            model = self._model_for(job.model, job.language)
            return self.worker.load(model.path, self._threads())
        except AiwisperError:
            return False  # the job itself reports the problem

    def _import_job_of(self, session_id: str) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs if j.kind == "import" and j.session_id == session_id), None)

    def _job_work(self) -> _Work | None:
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            if job.cancel.is_set():
                self._finish_job(job, "cancelled")
                continue
            if job.kind == "import":
                assert job.session_id is not None
                chunk = self.db.read(partial(store.next_pending_chunk, session_id=job.session_id))
                if chunk is None:
                    self._finish_job(job, "done")
                    continue
                return _Work(chunk, job)
            sid = job.session_id or ""
            if job.after_pending and self.db.read(partial(store.count_pending, session_id=sid)):
                continue
            while job.groups:
                found = self.db.read(partial(store.chunks_by_id, ids=job.groups[0]))
                if found:  # (chunks vanish when their session is deleted meanwhile)
                    window = replace(found[0], end_sample=found[-1].end_sample)
                    return _Work(window, job, [c.id for c in found])
                job.groups.pop(0)
            self._finish_job(job, "done")
        return None

    def _finish_job(self, job: Job, state: str) -> None:
        with self._lock:
            if job in self._jobs:
                self._jobs.remove(job)
            if state == "done" and job.failures:
                state = "failed"
                job.error = f"{job.title}: {job.failures} part(s) could not be transcribed: {job.error}"
            if not job.finished:
                job.state = state
        self.bus.publish(job.event())

    def _speculate(self, chunks: list[OpenChunk]) -> bool:
        """Speech just stopped in an open chunk: transcribe it as its final while the VAD waits out the
        silence that closes it, so the final text is ready the moment the chunk closes."""
        for c in chunks:
            end = c.closing_end
            if end is None or c.end < end or end - c.start < SAMPLE_RATE // 4:
                continue
            key = (c.session_id, c.source, c.start, end)
            if key in self._speculative:
                continue
            self._speculative[key] = None
            while len(self._speculative) > 16:
                self._speculative.pop(next(iter(self._speculative)))
            session = self.db.read(partial(store.get_session, session_id=c.session_id))
            row = store.ChunkRow(0, c.session_id, c.source, c.start, end, "pending", 0, None)
            audio = read_range(self.data_dir / session.audio_file, session.sources.index(c.source), c.start, end)
            if is_digital_silence(audio):
                return True
            try:
                model, language = self._resolve(session.model, session.language)
                options = self._final_options(row, session, language, len(audio), live=True)
                result = self.worker.transcribe(model.path, self._threads(), audio, options, self._timeout(len(audio)))
            except AiwisperError:
                return True  # the final is computed as usual
            self._speculative[key] = (model.path, options, result)
            return True
        return False

    def _final_options(
        self, chunk: store.ChunkRow, session: store.SessionRow, language: str | None, samples: int, live: bool
    ) -> DecodeOptions:
        prev = self.db.read(lambda c: store.previous_chunk(c, chunk))
        prev_text = self.db.read(lambda c: store.chunk_text(c, prev.id)) if prev else None
        previous = self.policy.prompt(prev_text, prev.end_sample if prev else None, chunk.start_sample)
        return self._options(language, self._prompt(session, previous), self._final_ctx(samples, live))

    def _prompt(self, session: store.SessionRow, previous: str) -> str:
        """The engine's prompt: the user's vocabulary (the session's, then the global one) and the text before."""
        vocabulary = ", ".join(v for v in (session.vocabulary, self.settings["transcription.vocabulary"]) if v)
        return engine_prompt(vocabulary, previous)

    def _partial(self) -> bool:
        if self.recorder is None:
            return False
        chunks = [OpenChunk(*c) for c in self.recorder.open_chunks()]
        if self._speculate(chunks):
            return True
        target = self.policy.next_partial(chunks, engine_idle=True) if chunks else None
        if target is None:
            return False
        session = self.db.read(lambda c: store.get_session(c, target.session_id))
        audio = read_range(
            self.data_dir / session.audio_file, session.sources.index(target.source), target.start, target.end
        )
        if is_digital_silence(audio):
            return True
        try:
            model, language = self._resolve(session.model, session.language)
        except AiwisperError:
            return False  # the model is gone or cannot do the language: its final reports it, once
        fast = self.settings["transcription.fast_encoder"] != "off"
        seconds = len(audio) / SAMPLE_RATE
        # A partial is replaced soon: no fallback decoding, and no more tokens than speech can hold.
        options = replace(
            self._options(language, self._prompt(session, ""), audio_ctx_for(seconds) if fast else 0),
            temperature_inc=0.0,
            max_tokens=int(8 * seconds) + 8,
        )
        try:
            result = self.worker.transcribe(model.path, self._threads(), audio, options, self._timeout(len(audio)))
        except AiwisperError:
            return True  # partials are best effort; the final will retry
        text = " ".join(s.text for s in filter_segments(result.segments, self.guard))
        if text:
            self.bus.publish(
                PartialTranscript(target.session_id, target.source, _ms(target.start), _ms(target.end), text)
            )
        else:
            self.policy.no_words(target)
        return True

    def _final_ctx(self, samples: int, live: bool) -> int:
        """audio_ctx of a final (0: whisper's full 30 s), per `transcription.fast_encoder`."""
        mode = self.settings["transcription.fast_encoder"]
        if mode == "all":
            return audio_ctx_for(samples / SAMPLE_RATE)
        if mode == "live" and live:
            return audio_ctx_for(samples / SAMPLE_RATE, floor=LIVE_FINAL_FLOOR)
        return 0

    def _options(self, language: str | None, prompt: str, audio_ctx: int) -> DecodeOptions:
        return DecodeOptions(
            language=language,
            translate=self.settings["transcription.translate"],
            prompt=prompt,
            audio_ctx=audio_ctx,
            no_speech_thold=self.guard.no_speech_thold,
            logprob_thold=self.guard.logprob_thold,
        )

    def _threads(self) -> int:
        return default_threads(self.settings["transcription.threads"])

    timeout_base = 60.0  # seconds a request may take, plus ten times its audio's length

    def _timeout(self, samples: int) -> float:
        return self.timeout_base + 10.0 * samples / SAMPLE_RATE

    def _transcribe(self, work: _Work) -> None:
        chunk, job = work.chunk, work.job
        session = self.db.read(lambda c: store.get_session(c, chunk.session_id))
        if job is not None and job.state == "queued":
            job.state, job.started = "running", time.monotonic()
        language = job.language if job is not None and job.kind == "retranscribe" else session.language
        model_name = job.model if job is not None and job.model else session.model
        try:
            model, language = self._resolve(model_name, language)
        except AiwisperError as e:
            self._chunk_done(work, failed=str(e))
            return
        audio = read_range(self.data_dir / session.audio_file, session.sources.index(chunk.source),
                           chunk.start_sample, chunk.end_sample)  # fmt: skip
        segments: list[dict[str, Any]] = []
        result: EngineResult | None = None
        note: str | None = None
        if not is_digital_silence(audio):
            live = job is None and session.status == "recording"
            options = self._final_options(chunk, session, language, len(audio), live)
            spec = self._speculative.pop((chunk.session_id, chunk.source, chunk.start_sample, chunk.end_sample), None)
            try:
                if spec is not None and spec[:2] == (model.path, options):
                    result = spec[2]  # computed while the silence that closed the chunk went on
                else:
                    result = self.worker.transcribe(
                        model.path, self._threads(), audio, options, self._timeout(len(audio))
                    )
            except WorkerCrashed as e:
                if work.redo:  # the old text stands; the window is tried again, then given up
                    assert job is not None
                    job.group_attempts += 1
                    if job.group_attempts > MAX_RETRIES:
                        self._chunk_done(work, failed=str(e))
                    return
                attempts = chunk.attempts + 1
                final = attempts > MAX_RETRIES
                reason = str(e)
                self.db.write(lambda c: store.fail_chunk(c, chunk.id, attempts, reason, final))
                if final:
                    self._chunk_done(work, failed=reason, stored=True)
                return  # not final: the chunk is still pending and is tried again next
            except EngineError as e:
                self._chunk_done(work, failed=str(e))
                return
            offset, end_ms = _ms(chunk.start_sample), _ms(chunk.end_sample)
            reasons = []
            for guarded in (guard(s, self.guard) for s in result.segments):
                seg = guarded.segment
                if seg is None:
                    reasons += [guarded.reason] if guarded.reason else []
                    continue
                words = [
                    {"text": w.text, "start_ms": offset + w.start_ms, "end_ms": offset + w.end_ms,
                     "p": round(w.p, 3), "low": guarded.uncertain or w.p < self.guard.low_word_p}
                    for w in seg.words
                ]  # fmt: skip
                confidence = round(min((w.p for w in seg.words), default=1.0), 3)
                segments.append(
                    {"start_ms": offset + seg.start_ms, "end_ms": min(offset + seg.end_ms, end_ms), "text": seg.text,
                     "confidence": confidence, "words": words}
                )  # fmt: skip
            if not segments:  # the VAD heard speech here: say why no text came of it
                note = "speech was heard but no words were recognized" + (f" ({reasons[0]})" if reasons else "")
        found = detected(result.language) if result is not None and language is None and segments else None

        def store_it(c: Any) -> tuple[store.ChunkRow, list[store.SegmentRow]]:
            target = chunk
            if len(work.replaces) > 1:  # a window over several chunks becomes one chunk
                target = store.merge_chunks(c, work.replaces, chunk)
            rows = store.replace_chunk_segments(c, target, segments)
            if found and session.language is None and not work.redo:
                store.set_language(c, session.id, found)
            return target, rows

        target, rows = self.db.write(store_it)
        payload = [r.to_dict() for r in rows]
        event = ChunkTranscribed(
            session.id,
            target.id,
            chunk.source,
            _ms(chunk.start_sample),
            _ms(chunk.end_sample),
            payload,
            [cid for cid in work.replaces if cid != target.id],
            note,
        )
        self.bus.publish(event)
        self._chunk_done(work)

    def _chunk_done(self, work: _Work, failed: str | None = None, stored: bool = False) -> None:
        chunk, job = work.chunk, work.job
        if failed is not None:
            if not stored and not work.redo:  # a failed re-transcription leaves the chunk as it was
                self.db.write(lambda c: store.fail_chunk(c, chunk.id, chunk.attempts, failed, True))
            self.bus.publish(ChunkFailed(chunk.session_id, chunk.id, failed))
            if job is not None:
                job.failures += 1
                job.error = failed
        if job is not None:
            with self._lock:
                job.done_samples += chunk.end_sample - chunk.start_sample
                if work.redo and job.groups:
                    job.groups.pop(0)
                    job.group_attempts = 0
            self.bus.publish(job.event())
        session = self.db.read(lambda c: store.get_session(c, chunk.session_id))
        pending = self.db.read(lambda c: store.count_pending(c, chunk.session_id))
        self.bus.publish(SessionUpdated(session.id, session.status, pending, session.language))
