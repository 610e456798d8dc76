"""What a live chunk needs of the database, kept by the transcriber instead of read back for every chunk: the
recording's session row (its language updated when detected) and, per source, the last chunk transcribed (its
start, end and text: the next chunk's prompt). Anything else is read as before."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from aiwisper.sessions import store
from aiwisper.storage.db import Database


class LiveMemory:
    """Owned by the transcriber thread."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._recording: store.SessionRow | None = None
        self._last_done: dict[tuple[str, str], tuple[int, int, str] | None] = {}

    def session(self, session_id: str, live: bool) -> store.SessionRow:
        """A session's row; the recording's (`live`) is read once and kept."""
        if live and self._recording is not None and self._recording.id == session_id:
            return self._recording
        session = self._db.read(partial(store.get_session, session_id=session_id))
        if live:  # a new recording: nothing of it is transcribed yet
            self._recording = session
            self._last_done = {(session_id, source): None for source in session.sources}
        return session

    def previous(self, chunk: store.ChunkRow, live: bool) -> tuple[str | None, int | None]:
        """The text and end of the chunk of the same source transcribed just before `chunk`."""
        key = (chunk.session_id, chunk.source)
        if live and key in self._last_done:
            known = self._last_done[key]
            if known is None:
                return None, None
            if known[0] < chunk.start_sample:
                return known[2], known[1]
        prev = self._db.read(lambda c: store.previous_chunk(c, chunk))
        return (self._db.read(lambda c: store.chunk_text(c, prev.id)), prev.end_sample) if prev else (None, None)

    def stored(self, chunk: store.ChunkRow, rows: list[store.SegmentRow], session: store.SessionRow,
               found: str | None) -> None:  # fmt: skip
        """A live chunk's text was stored (and its language detected, when `found`)."""
        if found and session.language is None and self._recording is not None and self._recording.id == session.id:
            self._recording = replace(self._recording, language=found)
        self._last_done[(chunk.session_id, chunk.source)] = (chunk.start_sample, chunk.end_sample,
                                                             " ".join(r.text for r in rows))  # fmt: skip

    def language(self, session: store.SessionRow) -> str | None:
        kept = self._recording
        return kept.language if kept is not None and kept.id == session.id else session.language
