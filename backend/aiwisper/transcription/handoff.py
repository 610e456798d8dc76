"""The recording's chunks, handed from the recorder to the transcriber in memory: the recorder stores each chunk
once (for a crash) and hands over the stored row; the transcriber takes it from here, and reads SQLite only for a
chunk that failed and waits there to be tried again."""

from __future__ import annotations

import threading
from collections import deque

from aiwisper.sessions import store
from aiwisper.storage.db import Database
from aiwisper.transcription.chunks import ChunkTranscriber
from aiwisper.transcription.queue import Work


class Handoff:
    """Owner of the queue of handed-over chunks (filled on the database writer's thread, emptied on the
    transcriber's)."""

    def __init__(self, db: Database, chunks: ChunkTranscriber, wake: threading.Event) -> None:
        self._db = db
        self._chunks = chunks
        self._wake = wake
        self._queue: deque[store.ChunkRow] = deque()
        self._taken: set[int] = set()  # chunks read back from SQLite (a retry) before they were handed over
        chunks.live_pending = self.pending

    def handed(self, row: store.ChunkRow) -> None:
        """A chunk the recorder has just stored."""
        self._queue.append(row)
        self._wake.set()

    def pending(self, session_id: str) -> int:
        return sum(1 for row in list(self._queue) if row.session_id == session_id)

    def next(self, recording: str, live: bool) -> Work | None:
        """The recording's next chunk (`live` while the recorder records; chunks that close while it stops take
        the usual path, read back); None when there is none."""
        while self._queue:
            row = self._queue.popleft()
            if row.session_id == recording and row.id not in self._taken:
                return Work(row, live=live)
        if self._chunks.retry_pending:  # cleared by the transcriber once no chunk waits anywhere
            waiting = self._db.read(lambda c: store.next_pending_chunk(c, recording))
            if waiting is not None:
                self._taken.add(waiting.id)
                return Work(waiting)
        return None
