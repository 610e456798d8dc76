"""The job queue: imports and re-transcriptions, in order, each a row in SQLite with its state.

Any thread may add or cancel a job; the importer thread takes imports to decode, the transcriber thread takes
the next piece of work. Every change of a job's state is written (`save_job`) and published, so a crash leaves no
job unseen: at the next start `resume` starts cut-off imports again or marks them failed with the reason.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from aiwisper.errors import NotFoundError
from aiwisper.events import EventBus
from aiwisper.sessions import library, store
from aiwisper.storage.db import Database
from aiwisper.transcription.jobs import Job, JobState, finished_jobs, save_job, unfinished_jobs

log = logging.getLogger(__name__)


@dataclass
class Work:
    """One request for the engine: a chunk, or a window of chunks transcribed again."""

    chunk: store.ChunkRow  # for a re-transcription window: the first chunk, stretched to the window's end
    job: Job | None = None
    replaces: list[int] = field(default_factory=list)  # chunks the window's text takes the place of
    live: bool = False  # handed over by the recorder while it records: its session is known, nothing is read back

    @property
    def redo(self) -> bool:
        return self.job is not None and self.job.kind == "retranscribe"


def _session_or_none(conn: Any, session_id: str) -> store.SessionRow | None:
    try:
        return store.get_session(conn, session_id)
    except NotFoundError:
        return None


def _remove_upload(data_dir: Path, path: Path) -> None:
    """A file uploaded from a browser is deleted with its folder once its import has finished."""
    folder = path.parent
    if folder.parent == data_dir and folder.name.startswith("aiwisper-upload-"):
        shutil.rmtree(folder, ignore_errors=True)


class JobQueue:
    """Jobs of this run (and the last finished ones of earlier runs), behind one lock."""

    def __init__(self, db: Database, data_dir: Path, bus: EventBus) -> None:
        self.db = db
        self.data_dir = data_dir
        self.bus = bus
        self.lock = threading.Lock()
        self._all: dict[str, Job] = {j.id: j for j in db.read(finished_jobs)}
        self._saved: dict[str, tuple[JobState, str | None, str | None]] = {}  # what each job's row says
        self._imports: deque[Job] = deque()  # waiting to be decoded
        self._work: deque[Job] = deque()  # decoded imports and re-transcriptions, in order
        self.stopping = False  # set at shutdown: jobs cancelled then are resumed at the next start

    def jobs(self) -> list[Job]:
        with self.lock:
            return list(self._all.values())

    def add_imports(self, jobs: list[Job]) -> None:
        with self.lock:
            for job in jobs:
                self._all[job.id] = job
                self._imports.append(job)
        for job in jobs:
            self.changed(job)

    def add_work(self, job: Job) -> None:
        with self.lock:
            self._all[job.id] = job
            self._work.append(job)
        self.changed(job)

    def cancel(self, job_id: str) -> Job:
        with self.lock:
            job = self._all.get(job_id)
            if job is None:
                raise NotFoundError(f"no job {job_id}")
            if job.finished:
                return job
            job.cancel.set()
            if job.state is JobState.QUEUED:
                job.state = JobState.CANCELLED
                if job in self._imports:
                    self._imports.remove(job)
                if job in self._work:
                    self._work.remove(job)
        if job.state is JobState.CANCELLED:
            self.changed(job)
        return job

    def cancel_all(self) -> None:
        self.stopping = True
        for job in self.jobs():
            job.cancel.set()

    def busy(self) -> bool:
        with self.lock:
            return any(not j.finished for j in self._all.values())

    def changed(self, job: Job) -> None:
        """Publish a job's progress; its row is written when its state, session or error changed."""
        snapshot = (job.state, job.session_id, job.error)
        quitting = self.stopping and job.state is JobState.CANCELLED  # a quit, not a cancel: resumed next start
        if self._saved.get(job.id) != snapshot and not quitting:
            self._saved[job.id] = snapshot
            try:
                self.db.write(partial(save_job, job=job))
            except Exception:
                log.exception("could not store job %s", job.id)
        self.bus.publish(job.event())
        if job.finished and job.kind == "import" and job.path is not None:
            _remove_upload(self.data_dir, job.path)

    # --- the importer thread ---------------------------------------------------------------

    def next_import(self) -> Job | None:
        with self.lock:
            job = self._imports.popleft() if self._imports else None
            if job is not None:
                job.state, job.started = JobState.RUNNING, time.monotonic()
                job.session_id = str(uuid.uuid4())  # stored before the session exists: a crash leaves no orphan
        if job is not None:
            self.changed(job)
        return job

    def decoded(self, job: Job, session_id: str, total_samples: int) -> None:
        """An import's file is decoded into its session: its chunks are transcribed next (none: it is done)."""
        with self.lock:
            job.session_id, job.decoded, job.total_samples = session_id, 1.0, total_samples
            if total_samples == 0:
                job.state = JobState.DONE  # no speech at all: nothing to transcribe
            else:
                self._work.append(job)
        self.changed(job)

    def decoding(self) -> Job | None:
        """An import waiting for or in decoding (its model is loaded meanwhile)."""
        with self.lock:
            job = next((j for j in self._imports if not j.cancel.is_set()), None)
            return job or next((j for j in self._all.values() if j.kind == "import"
                                and j.state is JobState.RUNNING and j.decoded < 1.0), None)  # fmt: skip

    # --- the transcriber thread ------------------------------------------------------------

    def import_of(self, session_id: str) -> Job | None:
        with self.lock:
            return next((j for j in self._work if j.kind == "import" and j.session_id == session_id), None)

    def next_work(self) -> Work | None:
        """The next chunk or window of the oldest job that has one; finished jobs are closed on the way."""
        with self.lock:
            jobs = list(self._work)
        for job in jobs:
            if job.cancel.is_set():
                self.finish(job, JobState.CANCELLED)
                continue
            if job.kind == "import":
                assert job.session_id is not None
                chunk = self.db.read(partial(store.next_pending_chunk, session_id=job.session_id))
                if chunk is None:
                    self.finish(job, JobState.DONE)
                    continue
                return Work(chunk, job)
            sid = job.session_id or ""
            if job.after_pending and self.db.read(partial(store.count_pending, session_id=sid)):
                continue
            while job.groups:
                found = self.db.read(partial(store.chunks_by_id, ids=job.groups[0]))
                if found:  # (chunks vanish when their session is deleted meanwhile)
                    window = replace(found[0], end_sample=found[-1].end_sample)
                    return Work(window, job, [c.id for c in found])
                job.groups.pop(0)
            self.finish(job, JobState.DONE)
        return None

    def started(self, job: Job) -> None:
        with self.lock:
            if job.state is JobState.QUEUED:
                job.state, job.started = JobState.RUNNING, time.monotonic()

    def finish(self, job: Job, state: JobState) -> None:
        with self.lock:
            if job in self._work:
                self._work.remove(job)
            if state is JobState.DONE and job.failures:
                state = JobState.FAILED
                job.error = f"{job.title}: {job.failures} part(s) could not be transcribed: {job.error}"
            if not job.finished:
                job.state = state
        self.changed(job)

    # --- start-up --------------------------------------------------------------------------

    def resume(self) -> list[Job]:
        """Jobs a crash or a quit cut off. An import starts again from its file (its half-decoded session
        removed) or, when decoding had finished, goes on with its pending chunks; an import whose file is gone,
        and a re-transcription (the old text stands), are marked failed with the reason."""
        resumed = []
        # Half-imported sessions as the crash left them (not those the importer starts meanwhile).
        orphans = {s.id: s for s in self.db.read(partial(store.sessions_with_status, status=store.Status.IMPORTING))}
        for job in self.db.read(unfinished_jobs):
            orphans.pop(job.session_id or "", None)
            session = self.db.read(partial(_session_or_none, session_id=job.session_id)) if job.session_id else None
            if job.kind == "import" and session is not None and session.status != store.Status.IMPORTING:
                job.state, job.decoded = JobState.RUNNING, 1.0  # decoded: its pending chunks are transcribed
                job.total_samples = sum(c.end_sample - c.start_sample for c in self.db.read(
                    partial(store.chunks_of, session_id=session.id)))  # fmt: skip
                queue = self._work
            elif job.kind == "import" and job.path is not None and job.path.is_file():
                if session is not None:
                    self.db.write(partial(library.delete, data_dir=self.data_dir, session_id=session.id))
                job.session_id = None
                queue = self._imports
            else:
                why = ("the app stopped during the import and the file is no longer there" if job.kind == "import"
                       else "the app stopped before it finished; the earlier text stands: run it again")  # fmt: skip
                job.state, job.error = JobState.FAILED, f"{job.title}: {why}"
                if session is not None and session.status == store.Status.IMPORTING:
                    self.db.write(partial(store.finish_session, session_id=session.id, status=store.Status.FAILED,
                                          duration_ms=session.duration_ms, error=job.error))  # fmt: skip
                with self.lock:
                    self._all[job.id] = job
                self.changed(job)
                continue
            with self.lock:
                self._all[job.id] = job
                queue.append(job)
            resumed.append(job)
            self.changed(job)
            log.info("resumed %s job %s", job.kind, job.id)
        for session in orphans.values():  # imports of an older version, without a job row
            error = "the app stopped during its import"
            self.db.write(partial(store.finish_session, session_id=session.id, status=store.Status.FAILED,
                                  duration_ms=session.duration_ms, error=error))  # fmt: skip
        return resumed
