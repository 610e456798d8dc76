"""Diarization as jobs: after a session is transcribed (setting `speakers.auto`) and on request.

One thread owns the queue and the worker. When a diarized session's text changes (re-transcription), the new
segments get their speakers from the stored turns without diarizing again.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from aiwisper.errors import AiwisperError, NotFoundError
from aiwisper.events import DiarizationUpdated, Event, EventBus, SessionUpdated
from aiwisper.sessions import speakers, store
from aiwisper.settings import Settings
from aiwisper.speakers.session import diarize_session
from aiwisper.speakers.worker import DiarizationWorker
from aiwisper.storage.db import Database

log = logging.getLogger(__name__)


class SpeakerService:
    """Owner of the diarization thread and worker; `close()` stops both."""

    def __init__(self, db: Database, data_dir: Path, bus: EventBus, settings: Settings,
                 models: tuple[Path, Path]) -> None:  # fmt: skip
        self.db, self.data_dir, self.bus, self.settings = db, data_dir, bus, settings
        self.models = models  # segmentation, embedding
        self._queue: queue.Queue[tuple[str, int | None, bool] | None] = queue.Queue()
        self._worker: DiarizationWorker | None = None
        self._closed = False
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
        self.db.read(lambda c: store.get_session(c, session_id))  # a clear error for an unknown session
        event = DiarizationUpdated(session_id, "queued")
        self.bus.publish(event)
        self._queue.put((session_id, count, True))
        return event

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionUpdated) and event.status in store.FINISHED and event.pending_chunks == 0:
            self._queue.put((event.session_id, None, False))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None and not self._closed:
            session_id, count, asked = item
            try:
                if not asked:
                    self._after_transcription(session_id)
                else:
                    self._job(session_id, count)
            except Exception:
                log.exception("speakers of session %s failed", session_id)

    def _after_transcription(self, session_id: str) -> None:
        labelled = self.db.write(lambda c: speakers.label(c, session_id))
        if labelled:
            self._updated(session_id)
        elif labelled is None and self.settings["speakers.auto"] and self.available:
            self._job(session_id, None)

    def _job(self, session_id: str, count: int | None) -> None:
        try:
            self.db.read(lambda c: store.get_session(c, session_id))
        except NotFoundError:
            return  # deleted meanwhile
        self.bus.publish(DiarizationUpdated(session_id, "running"))
        try:
            if self._worker is None:
                cap = float(self.settings["transcription.worker_memory_mb"])
                self._worker = DiarizationWorker(self.models, max_rss_mb=cap)
            found = diarize_session(self.db, self.data_dir, self._worker, session_id, count)
        except AiwisperError as e:
            if not self._closed:
                log.warning("diarization of %s failed: %s", session_id, e)
                self.bus.publish(DiarizationUpdated(session_id, "failed", error=str(e)))
            return
        self.bus.publish(DiarizationUpdated(session_id, "done", speakers=found))
        self._updated(session_id)

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
