"""The transcription service: the transcriber thread and the importer thread, and what they share.

The transcriber thread works through, in order (`_step`): pending chunks of the session being recorded
(finals first: they replace partials); a partial of the chunk being spoken now; the queued jobs (imports,
re-transcriptions, `queue.JobQueue`), first come first served; any other pending chunk (recovered sessions).
Each piece goes through `chunks.ChunkTranscriber` (read → engine worker → guard → SQLite → event).

Pending chunks and jobs live in SQLite, so the queue survives a crash. A worker crash or hang retries the chunk,
at most twice; then the chunk is marked failed and the session goes on. The importer thread decodes imported
files so decoding never delays live text.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from functools import partial
from pathlib import Path

from aiwisper.asr.worker import EngineWorker
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import SpeechLevel
from aiwisper.errors import AiwisperError, InvalidArgumentError, NotFoundError
from aiwisper.events import Error, Event, EventBus, SessionStopped
from aiwisper.files.importer import Cancelled, import_file
from aiwisper.languages import check_language
from aiwisper.models.registry import InstalledModel, ModelRegistry
from aiwisper.segmenter import Chunk, ChunkMerger, VadOptions
from aiwisper.sessions import store
from aiwisper.sessions.recorder import Recorder, State
from aiwisper.sessions.recovery import VadFactory
from aiwisper.settings import Settings
from aiwisper.storage.db import Database
from aiwisper.transcription.batch import prepare_batch
from aiwisper.transcription.chunks import ChunkTranscriber
from aiwisper.transcription.handoff import Handoff
from aiwisper.transcription.jobs import Job, JobState
from aiwisper.transcription.live import OpenChunk
from aiwisper.transcription.queue import JobQueue, Work
from aiwisper.transcription.stopped import StoppedRecordings

log = logging.getLogger(__name__)
BATCH = 4  # chunks of an imported file decoded together (CTranslate2)
RESCAN_S = 2.0  # between recordings, SQLite is asked this often whether a chunk waits that nobody announced


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


def _chosen(chunks: list[store.ChunkRow], session_id: str, chunk_ids: list[int] | None, start_ms: int | None,
            end_ms: int | None) -> list[store.ChunkRow]:  # fmt: skip
    """The chunks of a session named by id, or lying in a time range; a clear error when there are none."""
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
    return chunks


class TranscriptionService:
    """Owner of the transcriber and importer threads; `close()` stops both and the engine worker."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        bus: EventBus,
        registry: ModelRegistry,
        settings: Settings,
        recorder: Recorder | None,
        vad: VadFactory,
        worker: EngineWorker | None = None,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.bus = bus
        self.registry = registry
        self.settings = settings
        self.recorder = recorder
        self.vad = vad
        self.queue = JobQueue(db, data_dir, bus)
        self.chunks = ChunkTranscriber(db, data_dir, bus, settings, self.queue, self._resolve, worker)
        self._wake = threading.Event()
        self._import_wake = threading.Event()
        self._stop = threading.Event()
        self._closed = False
        self.idle = threading.Event()  # set while nothing is left to do (tests and the CLI wait on it)
        self._unsubscribe = bus.subscribe(self._on_event)
        self._live = Handoff(db, self.chunks, self._wake)
        self._scan = True  # chunks may wait in SQLite outside the recording (at start, after a recording or a crash)
        self._stopped = StoppedRecordings(db, bus)
        if recorder is not None:
            recorder.chunk_listeners.append(self._live.handed)
            recorder.silence_listeners.append(self._wake.set)
        self._thread = threading.Thread(target=self._run, name="transcriber", daemon=True)
        self._import_thread = threading.Thread(target=self._run_imports, name="importer", daemon=True)
        self._thread.start()
        self._import_thread.start()

    @property
    def worker(self) -> EngineWorker:
        return self.chunks.worker

    # --- public API (any thread) -----------------------------------------------------------

    def jobs(self) -> list[Job]:
        return self.queue.jobs()

    def import_files(
        self, paths: list[Path], model: str | None = None, language: str | None = "default", vocabulary: str = ""
    ) -> list[Job]:
        """Queue files for import; each becomes a session transcribed through the same queue."""
        # unknown model, or English-only for another language: refused now; English-only + auto: English
        lang = self._resolve(model, self._language(language))[1]
        jobs = [Job("import", p.name, path=p, model=model, language=lang, vocabulary=vocabulary.strip())
                for p in paths]  # fmt: skip
        self.queue.add_imports(jobs)
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
        chunks = _chosen(self.db.read(lambda c: store.chunks_of(c, session_id)), session_id, chunk_ids, start_ms,
                         end_ms)  # fmt: skip
        job = Job("retranscribe", session.title, session_id=session_id, groups=_windows(chunks), model=model,
                  language=lang, after_pending=after_pending,
                  total_samples=sum(c.end_sample - c.start_sample for c in chunks))  # fmt: skip
        self.queue.add_work(job)
        self._wake.set()
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.queue.cancel(job_id)
        self._wake.set()
        return job

    def resume_jobs(self) -> list[Job]:
        """At start-up: jobs a crash or a quit cut off are resumed or marked failed (see JobQueue.resume)."""
        resumed = self.queue.resume()
        self._import_wake.set()
        self._wake.set()
        return resumed

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no work is left (pending chunks, jobs, imports)."""
        self._scan = True
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
        self.queue.cancel_all()
        self._stop.set()
        self._wake.set()
        self._import_wake.set()
        self._import_thread.join(30)
        self._thread.join(60)
        self.chunks.close()

    # --- helpers ---------------------------------------------------------------------------

    def _language(self, language: str | None) -> str | None:
        if language == "default":
            language = self.settings.text("transcription.language")
        return check_language(language)

    def _resolve(self, name: str | None, language: str | None) -> tuple[InstalledModel, str | None]:
        """The model to use and the language it will transcribe (an English-only model: always 'en')."""
        return self.registry.resolve(name or self.settings.text("transcription.model") or None, language)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionStopped):
            self._stopped.add(event.session_id)
            self._scan = True  # its last chunks, and any the recording left pending
            second = self.settings.text("transcription.second_pass_model")
            if second and event.reason != "error":
                with contextlib.suppress(AiwisperError):  # no speech, or the model is gone: nothing to do
                    self.retranscribe(event.session_id, model=second, after_pending=True)
            self._wake.set()

    def _nothing_left(self) -> bool:
        if self.queue.busy() or self._stopped.waiting():
            return False
        return (
            self.db.read(lambda c: c.execute("SELECT 1 FROM chunks WHERE status = 'pending' LIMIT 1").fetchone())
            is None
        )

    # --- importer thread -------------------------------------------------------------------

    def _run_imports(self) -> None:
        while not self._stop.is_set():
            job = self.queue.next_import()
            if job is None:
                self._import_wake.wait(0.5)
                self._import_wake.clear()
                continue
            assert job.path is not None

            def progress(row: store.SessionRow, fraction: float, job: Job = job) -> None:
                job.session_id, job.decoded = row.id, fraction
                self.queue.changed(job)

            try:
                vad_options = VadOptions.from_settings(self.settings)
                job.level = SpeechLevel()
                session = import_file(job.path, self.db, self.data_dir, self.vad, vad_options, job.language, job.model,
                                      job.cancel, progress, job.vocabulary, job.level, job.session_id)  # fmt: skip
                chunks = self.db.read(partial(store.chunks_of, session_id=session.id))
                self.queue.decoded(job, session.id, sum(c.end_sample - c.start_sample for c in chunks))
            except Cancelled:
                job.state = JobState.CANCELLED
                self.queue.changed(job)
            except AiwisperError as e:
                log.info("import of %s failed: %s", job.title, e)
                job.state, job.error = JobState.FAILED, str(e)
                self.queue.changed(job)
            except Exception as e:  # an unexpected decoder failure must not end the thread
                log.exception("import of %s failed", job.title)
                job.state, job.error = JobState.FAILED, f"{job.title}: import failed: {e}"
                self.queue.changed(job)
            self._wake.set()

    # --- transcriber thread ----------------------------------------------------------------

    def _run(self) -> None:
        scanned = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - scanned > RESCAN_S and (self.recorder is None or self.recorder.session_id is None):
                self._scan, scanned = True, time.monotonic()  # a chunk left pending by a path nobody announced
            try:
                did = self._step()
            except Exception as e:  # keep the thread alive; the error goes to the UI
                log.exception("transcription step failed")
                self.bus.publish(Error(None, "transcription", f"transcription failed: {e}"))
                did = False
            if not did:
                self.idle.set()
                self._wake.wait(0.1)
                self._wake.clear()
            else:
                self.idle.clear()

    def _step(self) -> bool:
        """Do the most urgent piece of work, in this order: the recording's pending chunks (finals replace
        partials), a partial of the chunk being spoken, the queued jobs, any other pending chunk (recovered
        sessions); then load the model of a file being decoded. False when there was nothing to do."""
        recording = self.recorder.session_id if self.recorder is not None else None
        if self._stopped.tell(recording):
            return True
        if recording:
            live = self._live.next(recording, self.recorder is not None and self.recorder.state is State.RECORDING)
            if live is not None:
                self.chunks.transcribe(live)
                return True
        spoken = self.recorder.open_chunks() if self.recorder is not None else ()
        opened = [OpenChunk(c.session_id, c.source, c.start, c.end, c.closing_end, c.silence_start) for c in spoken]
        if opened and self.chunks.partial(opened):
            return True
        work = self.queue.next_work()
        if work is not None:
            if work.job is not None and work.job.kind == "import" and work.chunk.id not in self.chunks.batched:
                more = self.db.read(partial(store.pending_chunks, session_id=work.chunk.session_id, limit=BATCH))
                prepare_batch(self.chunks, [Work(c, work.job) for c in more if c.id not in self.chunks.batched])
            self.chunks.transcribe(work)
            return True
        if self._scan or self.chunks.retry_pending:
            chunk = self.db.read(lambda c: store.next_pending_chunk(c, exclude=recording))
            if chunk is not None:
                self.chunks.transcribe(Work(chunk, self.queue.import_of(chunk.session_id)))
                return True
            self._scan = self.chunks.retry_pending = False
        return self._warm_up()

    def _warm_up(self) -> bool:
        """While a file is still decoding, load its model so its first chunk starts at once."""
        job = self.queue.decoding()
        if job is None:
            return False
        try:
            model = self._resolve(job.model, job.language)[0]
            return self.worker.load(self.chunks.decoding.engine_path(model), self.chunks.decoding.threads())
        except AiwisperError:
            return False  # the job itself reports the problem
