"""Diarization as jobs: after a session is transcribed (setting `speakers.auto`) and on request. Each is a row of
the jobs table (kind "diarize"): one that a crash or a quit cut off runs again at the next start.

One thread owns the queue and the worker. When a diarized session's text changes (re-transcription), the new
segments get their speakers from the stored turns without diarizing again. While a session records (setting
`speakers.live`), each transcribed chunk's segments get a first guess of their speaker (`live`).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aiwisper.errors import AiwisperError, NotFoundError
from aiwisper.events import (
    ChunkTranscribed,
    DiarizationUpdated,
    Event,
    EventBus,
    LiveLabel,
    SessionUpdated,
    SpeakersLive,
)
from aiwisper.sessions import store
from aiwisper.settings import Settings
from aiwisper.speakers import live, voices
from aiwisper.speakers import store as speakers
from aiwisper.speakers.diarize import MIN_VOICE_S
from aiwisper.speakers.session import diarize_session
from aiwisper.speakers.worker import DiarizationWorker
from aiwisper.storage.db import Database
from aiwisper.transcription.jobs import DIARIZE, Job, JobState, has_job, save_job, unfinished_jobs

log = logging.getLogger(__name__)


class SpeakerService:
    """Owner of the diarization thread and worker; `close()` stops both."""

    def __init__(self, db: Database, data_dir: Path, bus: EventBus, settings: Settings, models: tuple[Path, Path],
                 waits: Callable[[], bool] = lambda: False) -> None:  # fmt: skip
        """`waits`: a diarization does not start while it says so (notes come first: priorities.py)."""
        self.db, self.data_dir, self.bus, self.settings, self.waits = db, data_dir, bus, settings, waits
        self.models = models  # segmentation, embedding
        self._queue: queue.Queue[str | Job | ChunkTranscribed | None] = queue.Queue()  # str: a session finished
        self._worker: DiarizationWorker | None = None
        self._heard: dict[tuple[str, str], live.Heard] = {}  # (session, source) → voices heard live (this thread's)
        self._closed = False
        self.finding: set[str] = set()  # sessions whose speakers are queued or being found (the library shows it)
        self._lock = threading.Lock()  # `finding` checked and added to by publishers' threads (`_auto_job`)
        for job in db.read(lambda c: unfinished_jobs(c, (DIARIZE,))):  # cut off by a crash or a quit
            self.finding.add(job.session_id or "")
            self._queue.put(job)
        self._unsubscribe = bus.subscribe(self._on_event)
        self._thread = threading.Thread(target=self._run, name="aiwisper-speakers", daemon=True)
        self._thread.start()

    @property
    def available(self) -> bool:
        return all(path.is_file() for path in self.models)

    def diarize(self, session_id: str, count: int | None = None) -> DiarizationUpdated:
        """Queue a diarization of a stored session (`count` speakers, or found automatically)."""
        if not self.available:
            missing = ", ".join(path.name for path in self.models if not path.is_file())
            raise AiwisperError(f"the speaker models are missing ({missing}): run aiwisper models build")
        job = self._new_job(session_id, count)  # a clear error for an unknown session
        event = DiarizationUpdated(session_id, "queued")
        self.finding.add(session_id)
        self.bus.publish(event)
        self._queue.put(job)
        return event

    def _new_job(self, session_id: str, count: int | None) -> Job:
        title = self.db.read(lambda c: store.get_session(c, session_id)).title
        return self._saved(Job(DIARIZE, f"Speakers of {title}", session_id=session_id, speakers=count))

    def _saved(self, job: Job) -> Job:
        self.db.write(lambda c: save_job(c, job))
        return job

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionUpdated) and event.status in store.FINISHED and event.pending_chunks == 0:
            self._queue.put(event.session_id)  # voices heard live forgotten; new text labelled from stored turns
            if (job := self._auto_job(event.session_id)) is not None:
                self._queue.put(job)
        elif isinstance(event, ChunkTranscribed) and event.segments and self.settings.flag("speakers.live"):
            self._queue.put(event)

    def _auto_job(self, session_id: str) -> Job | None:
        """The diarization of a session just finished (setting `speakers.auto`), its row saved now: a crash before
        this thread takes it (another diarization can take minutes) leaves it queued for the next start. None when
        the session has stored turns (a re-transcription: its new text is labelled from them), a diarization before
        (one that found nobody, or failed, is not run again by itself) or one queued."""
        if not (self.settings.flag("speakers.auto") and self.available):
            return None
        with self._lock:
            if session_id in self.finding or self.db.read(lambda c: self._diarized(c, session_id)):
                return None
            self.finding.add(session_id)
        try:
            return self._new_job(session_id, None)
        except AiwisperError as e:  # deleted meanwhile
            log.warning("no diarization for session %s: %s", session_id, e)
            self.finding.discard(session_id)
            return None

    @staticmethod
    def _diarized(conn: sqlite3.Connection, session_id: str) -> bool:
        return has_job(conn, DIARIZE, session_id) or speakers.stored_turns(conn, session_id)[0] is not None

    def _run(self) -> None:
        while (item := self._queue.get()) is not None and not self._closed:
            if isinstance(item, ChunkTranscribed):
                try:
                    self._live(item)
                except Exception:
                    log.exception("live speakers of session %s failed", item.session_id)
                continue
            session_id = item if isinstance(item, str) else item.session_id
            try:
                if isinstance(item, str):
                    self._after_transcription(item)
                else:
                    self._job(item)
            except Exception:
                log.exception("speakers of session %s failed", session_id)

    def _live(self, event: ChunkTranscribed) -> None:
        """A first guess of who said each segment of a chunk just transcribed while recording."""
        if not self.available or self.queue_behind():
            return  # a backlog: live labels would come late, the diarization after Stop finds them anyway
        session = self.db.read(lambda c: store.get_session(c, event.session_id))
        if session.status != "recording" or (event.source == "mic" and "system" in session.sources):
            return  # only while recording; on a call the microphone is the user ("Me")
        said = [s for s in event.segments if s.end_ms - s.start_ms >= MIN_VOICE_S * 1000]
        if not said:
            return
        vectors = self._diarizer().voices_of(self.data_dir / session.audio_file, session.sources.index(event.source),
                                             [(s.start_ms, s.end_ms) for s in said])  # fmt: skip
        heard = self._heard.setdefault((event.session_id, event.source), live.Heard())
        labelled = {s.id: heard.assign(np.asarray(v, np.float32)) for s, v in zip(said, vectors, strict=True) if v}
        if not labelled:
            return
        exclude = voices.ME if event.source == "system" else None
        names = self.db.write(lambda c: live.label(c, event.session_id, heard, labelled, exclude))
        labels = [LiveLabel(s.id, s.start_ms, labelled[s.id], names[labelled[s.id]]) for s in said if s.id in labelled]
        self.bus.publish(SpeakersLive(event.session_id, event.chunk_id, event.source, labels))

    def busy(self) -> bool:
        """Speakers are being found or work is queued (the search index waits meanwhile)."""
        return bool(self.finding) or self._queue.qsize() > 0

    def queue_behind(self) -> bool:
        """More than a few chunks wait: this thread is behind the recording."""
        return self._queue.qsize() > 4

    def _diarizer(self) -> DiarizationWorker:
        if self._worker is None:
            cap = float(self.settings.whole("transcription.worker_memory_mb"))
            self._worker = DiarizationWorker(self.models, max_rss_mb=cap)
        return self._worker

    def _after_transcription(self, session_id: str) -> None:
        for key in [k for k in self._heard if k[0] == session_id]:
            del self._heard[key]
        if self.db.write(lambda c: speakers.label(c, session_id)):
            self._updated(session_id)

    def _job(self, job: Job) -> None:
        """Run a diarization job; one that `close()` cuts off keeps its row queued or running (the next start runs
        it again)."""
        session_id = job.session_id or ""
        self.finding.add(session_id)
        try:
            while self.waits() and not self._closed:
                time.sleep(0.5)
            if self._closed:
                return
            job.state = JobState.RUNNING
            self._saved(job)
            job.state, job.error = self._diarize(session_id, job.speakers)
            if not self._closed or job.state != JobState.FAILED:
                self._saved(job)
        finally:  # whatever happened, the session is no longer being found (the index and the library wait on it)
            self.finding.discard(session_id)

    def _diarize(self, session_id: str, count: int | None) -> tuple[JobState, str | None]:
        try:
            self.db.read(lambda c: store.get_session(c, session_id))
        except NotFoundError:
            return JobState.CANCELLED, "the session was deleted"
        self.bus.publish(DiarizationUpdated(session_id, "running"))
        try:
            found = diarize_session(self.db, self.data_dir, self._diarizer(), session_id, count)
        except AiwisperError as e:
            self.finding.discard(session_id)
            if not self._closed:
                log.warning("diarization of %s failed: %s", session_id, e)
                self.bus.publish(DiarizationUpdated(session_id, "failed", error=str(e)))
            return JobState.FAILED, str(e)
        self.finding.discard(session_id)
        self.bus.publish(DiarizationUpdated(session_id, "done", speakers=found))
        self._updated(session_id)
        return JobState.DONE, None

    def _updated(self, session_id: str) -> None:
        session = self.db.read(lambda c: store.get_session(c, session_id))
        pending = self.db.read(lambda c: store.count_pending(c, session_id))
        self.bus.publish(SessionUpdated(session_id, session.status, pending, session.language))

    def close(self) -> None:
        """Stop the thread (after the job in hand) and the worker; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._queue.put(None)
        worker = self._worker
        if worker is not None:
            worker.abort()  # a running diarization fails at once instead of finishing
        self._thread.join(10)
        if self._worker is not None:
            self._worker.close()
