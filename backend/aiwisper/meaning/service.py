"""Search by meaning as a background service: one thread owns the embedder and embeds whatever has no vector yet
(after a session is transcribed, a segment or memo edited, a document added, and at start for what is already
there), in batches, waiting while a recording runs or notes or speakers are being found (priorities.py); `search`
adds the passages nearest in meaning to the full-text hits."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from aiwisper.errors import InvalidArgumentError
from aiwisper.events import Event, EventBus, IndexUpdated, SessionUpdated
from aiwisper.meaning import index
from aiwisper.meaning.embedder import MODEL_NAME, Embedder
from aiwisper.meaning.hits import merge_meaning
from aiwisper.sessions import library
from aiwisper.sessions.library import SearchHit
from aiwisper.sessions.store import Status
from aiwisper.storage.db import Database

log = logging.getLogger(__name__)
BATCH = 32
MODES = ("hybrid", "exact", "meaning")


class SearchIndex:
    """Owner of the indexing thread and the embedding model; `close()` stops both."""

    def __init__(self, db: Database, bus: EventBus, models_dir: Path, busy: Callable[[], bool] = lambda: False,
                 start: bool = True) -> None:  # fmt: skip
        self.db, self.bus, self.busy = db, bus, busy
        self.embedder = Embedder(models_dir)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self._unsubscribe = bus.subscribe(self._on_event)
        self._thread = threading.Thread(target=self._run, name="aiwisper-index", daemon=True)
        if start:
            self._thread.start()
            self.wake()

    @property
    def available(self) -> bool:
        return self.embedder.available()

    def wake(self) -> None:
        """Something changed: embed what has no vector."""
        self._idle.clear()
        self._wake.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to embed (tests, the CLI)."""
        return self._idle.wait(timeout)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionUpdated) and event.pending_chunks == 0 and event.status != Status.RECORDING:
            self.wake()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._closed:
                return
            self._wake.clear()
            try:
                self.index_pending()
            except Exception as e:
                log.exception("indexing for search by meaning failed")
                self.bus.publish(IndexUpdated("idle", 0, 0, str(e)))
            if not self._wake.is_set():
                self._idle.set()

    def index_pending(self) -> int:
        """Embed everything that has no vector (on this thread); the number embedded."""
        if not self.available:
            return 0
        total = self.db.read(index.pending_count)
        done = 0
        while total and not self._closed:
            while self.busy() and not self._stopping.wait(1.0):  # a recording needs the CPU more
                pass
            if self._closed:
                break
            items = self.db.read(lambda c: index.pending(c, BATCH))
            if not items:
                break
            vectors = self.embedder.passages([it.text for it in items])
            self.db.write(functools.partial(index.put, items=items, vectors=vectors, model=MODEL_NAME))
            done += len(items)
            self.bus.publish(IndexUpdated("indexing", done, max(total, done)))
        if done:
            self.bus.publish(IndexUpdated("idle", done, done))
        return done

    def search(self, query: str, limit: int = 50, speaker: str = "", mode: str = "hybrid") -> list[SearchHit]:
        """Full-text hits first (every word present), then what is nearest in meaning (`mode` "hybrid"); only one
        of the two with "exact" or "meaning"."""
        if mode not in MODES:
            raise InvalidArgumentError(f"search mode must be one of {', '.join(MODES)}")
        exact = [] if mode == "meaning" else self.db.read(lambda c: library.search(c, query, limit, speaker))
        if mode == "meaning":
            self.embedder.require()
        if mode == "exact" or not query.strip() or not self.available:
            return exact
        vector = self.embedder.queries([" ".join(query.split())])[0]
        return self.db.read(lambda c: merge_meaning(c, exact, vector, MODEL_NAME, limit, speaker))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.embedder.close()
