"""Recordings that have stopped, whose stored state the transcriber tells once their live chunks are done.

A chunk transcribed live reports the status its session had when the chunk was taken ("recording"). A recording
whose last chunk was done live would so never be seen finished with nothing pending, and what waits for that (its
notes, its speakers) would never start. The transcriber thread tells the stored state instead, at a step where
the recorder no longer names the session: no live chunk of it can be in hand then."""

from __future__ import annotations

import threading
from functools import partial

from aiwisper.errors import NotFoundError
from aiwisper.events import EventBus, SessionUpdated
from aiwisper.sessions import store
from aiwisper.storage.db import Database


class StoppedRecordings:
    """Added to from the recorder's thread (on SessionStopped); told on the transcriber's."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db, self.bus = db, bus
        self._lock = threading.Lock()
        self._waiting: list[str] = []

    def add(self, session_id: str) -> None:
        with self._lock:
            self._waiting.append(session_id)

    def waiting(self) -> bool:
        with self._lock:
            return bool(self._waiting)

    def tell(self, recording: str | None) -> bool:
        """Publish the stored state of each stopped session but `recording` (the one the recorder still names);
        whether there was any."""
        with self._lock:
            told = [sid for sid in self._waiting if sid != recording]
        for sid in told:
            try:
                session = self.db.read(partial(store.get_session, session_id=sid))
            except NotFoundError:
                continue  # deleted meanwhile
            pending = self.db.read(partial(store.count_pending, session_id=sid))
            self.bus.publish(SessionUpdated(sid, session.status, pending, session.language))
        with self._lock:  # only now: wait_idle waits while any is left
            self._waiting = [sid for sid in self._waiting if sid not in told]
        return bool(told)
