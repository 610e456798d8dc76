"""Fan-out of bus events to WebSocket clients. One slow client never slows the pipeline or the others.

Each client has a bounded queue. Audio levels are droppable: when a client is
behind they are discarded. State events are never dropped: a client that lets
too many pile up is disconnected with a reason, and gets a snapshot when it
reconnects.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from aiwisper.events import AudioLevels, Event, EventBus, JobUpdated
from aiwisper.sessions.library import SessionDetail

DROPPABLE = (AudioLevels,)
MAX_QUEUED = 500  # state events a client may be behind before it is disconnected
LEVELS_WHEN_BEHIND = 20  # queued items above which levels are dropped for a client


@dataclass(frozen=True)
class Snapshot(Event):
    """Sent first on every connection: the recording (if any), the recorder's state and the jobs."""

    type: ClassVar[str] = "snapshot"
    recording: SessionDetail | None
    state: str
    jobs: list[JobUpdated]


class Client:
    """One connected WebSocket: its queue, filled by the bus, drained by its own server thread."""

    def __init__(self) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.closed_reason: str | None = None
        self.dropped = 0

    def offer(self, event: Event) -> None:
        if self.closed_reason:
            return
        size = self.queue.qsize()
        if isinstance(event, DROPPABLE) and size >= LEVELS_WHEN_BEHIND:
            self.dropped += 1
            return
        if size >= MAX_QUEUED:
            self.closed_reason = "too far behind: reconnect for a fresh snapshot"
            self.queue.put(None)
            return
        self.queue.put(json.dumps(event.to_dict()))

    def next(self, timeout: float) -> str | None:
        """The next message, '' on timeout, None when the client must be closed."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return ""


class Hub:
    """Subscribed to the bus once; hands every event to every client."""

    def __init__(self, bus: EventBus, snapshot: Callable[[], Snapshot]) -> None:
        self._clients: set[Client] = set()
        self._lock = threading.Lock()
        self.snapshot = snapshot
        self._unsubscribe = bus.subscribe(self._publish)

    def _publish(self, event: Event) -> None:
        with self._lock:
            clients = list(self._clients)
        for c in clients:
            c.offer(event)

    def connect(self) -> tuple[Client, str]:
        """A new client and its snapshot message; events after the snapshot are queued for it."""
        client = Client()
        with self._lock:
            self._clients.add(client)
        return client, json.dumps(self.snapshot().to_dict())

    def disconnect(self, client: Client) -> None:
        with self._lock:
            self._clients.discard(client)

    def close(self) -> None:
        self._unsubscribe()
        with self._lock:
            clients, self._clients = list(self._clients), set()
        for c in clients:
            c.closed_reason = "the app is closing"
            c.queue.put(None)
