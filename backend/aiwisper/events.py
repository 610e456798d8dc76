"""Every event the backend publishes, one dataclass each; sent to the UI as {"type": …, …}."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, TypedDict

from aiwisper.sessions.store import SegmentRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base class; `type` is the name the UI switches on."""

    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_json(self)
        return out


def to_json(value: Any) -> Any:
    """JSON values of dataclasses (an event with its `type`), lists and dicts, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
        return {"type": value.type, **out} if isinstance(value, Event) else out
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class SessionStarted(Event):
    """A recording began."""

    type: ClassVar[str] = "session_started"
    session_id: str
    title: str
    sources: list[str]


@dataclass(frozen=True)
class SessionStopped(Event):
    """A recording ended and its audio is final; `reason` is "user", "auto_stop", "error" or "limit"."""

    type: ClassVar[str] = "session_stopped"
    session_id: str
    duration_ms: int
    reason: str


@dataclass(frozen=True)
class SessionRecovered(Event):
    """A session cut off by a crash was repaired at start-up."""

    type: ClassVar[str] = "session_recovered"
    session_id: str
    duration_ms: int
    pending_chunks: int


@dataclass(frozen=True)
class ChunkCreated(Event):
    """The VAD closed a chunk of speech; it waits for transcription."""

    type: ClassVar[str] = "chunk_created"
    session_id: str
    chunk_id: int
    start_ms: int
    end_ms: int
    source: str


class Level(TypedDict):
    """One source's level in dBFS over the last interval."""

    rms: float
    peak: float


@dataclass(frozen=True)
class AudioLevels(Event):
    """Per-source levels in dBFS, about 20 times a second; may be dropped for slow clients."""

    type: ClassVar[str] = "audio_levels"
    session_id: str
    elapsed_ms: int
    levels: dict[str, Level] = field(default_factory=dict)  # by source


@dataclass(frozen=True)
class MicLevel(Event):
    """A microphone's level in dBFS while no recording is on (the meter of the first run), ten times a second."""

    type: ClassVar[str] = "mic_level"
    device: str
    rms: float
    peak: float


@dataclass(frozen=True)
class Warning(Event):
    """Something the user should know while recording goes on (silent system audio, dropped frames, very quiet
    speech, clipping); `level_db` is the measured level where there is one."""

    type: ClassVar[str] = "warning"
    session_id: str | None
    code: str
    message: str
    source: str | None = None
    level_db: float | None = None


@dataclass(frozen=True)
class Error(Event):
    """Something failed; `session_id` is set when a recording was affected."""

    type: ClassVar[str] = "error"
    session_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class PartialTranscript(Event):
    """Provisional text of the chunk being spoken; the chunk_transcribed of the same start replaces it."""

    type: ClassVar[str] = "partial_transcript"
    session_id: str
    source: str
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class ChunkTranscribed(Event):
    """Final text of a chunk (replacing its earlier text and partials); segments carry words with `low` flags."""

    type: ClassVar[str] = "chunk_transcribed"
    session_id: str
    chunk_id: int
    source: str
    start_ms: int
    end_ms: int
    segments: list[SegmentRow]
    replaced_chunk_ids: list[int] = field(default_factory=list)  # chunks this one took the place of
    note: str | None = None  # why a chunk the VAD took for speech has no text, when it has none


@dataclass(frozen=True)
class ChunkFailed(Event):
    """A chunk could not be transcribed after its retries; the session goes on."""

    type: ClassVar[str] = "chunk_failed"
    session_id: str
    chunk_id: int
    reason: str


@dataclass(frozen=True)
class JobUpdated(Event):
    """An import or re-transcription job moved: state queued/running/done/failed/cancelled, progress 0..1."""

    type: ClassVar[str] = "job_updated"
    job_id: str
    kind: str
    title: str
    session_id: str | None
    state: str
    progress: float
    eta_s: float | None
    error: str | None


@dataclass(frozen=True)
class DiarizationUpdated(Event):
    """Finding who spoke when in a session: state queued/running/done/failed; `speakers` found when done."""

    type: ClassVar[str] = "diarization_updated"
    session_id: str
    state: str
    speakers: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class LiveLabel:
    """A live segment's speaker: a number within the session, and a name ("Speaker N", or the voice library's)."""

    segment_id: int
    start_ms: int
    speaker: int
    name: str


@dataclass(frozen=True)
class SpeakersLive(Event):
    """Speakers of a chunk's segments while recording, from each segment's voice against the voices heard so far
    (and the voice library); the speakers found after Stop replace them."""

    type: ClassVar[str] = "speakers_live"
    session_id: str
    chunk_id: int
    source: str
    labels: list[LiveLabel]


@dataclass(frozen=True)
class SummaryUpdated(Event):
    """A summary changed state ("queued", "running", "done", "failed", "cancelled") or progressed (0..1)."""

    type: ClassVar[str] = "summary_updated"
    summary_id: str
    session_id: str
    state: str
    progress: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class SummaryToken(Event):
    """Text the language model just wrote; `stage` says for which step ("final", "part 2 of 5", "merging")."""

    type: ClassVar[str] = "summary_token"
    summary_id: str
    session_id: str
    text: str
    stage: str


@dataclass(frozen=True)
class IndexUpdated(Event):
    """Search by meaning: embedding what was transcribed, edited or added (`done` of `total` items), or idle."""

    type: ClassVar[str] = "index_updated"
    state: str  # indexing | idle | unavailable
    done: int
    total: int
    error: str | None = None


@dataclass(frozen=True)
class SessionUpdated(Event):
    """A session's row changed (title, status, language, transcription progress)."""

    type: ClassVar[str] = "session_updated"
    session_id: str
    status: str
    pending_chunks: int
    language: str | None


Listener = Callable[[Event], None]


class EventBus:
    """In-process publish/subscribe. Listeners run on the publisher's thread and must be quick."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Hand `event` to every listener; one that raises is logged and the others are still served."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, event.type)
