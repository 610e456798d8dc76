"""Jobs the user queues: imports and re-transcriptions, processed in order, each cancellable."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiwisper.audio.level import SpeechLevel
from aiwisper.events import JobUpdated


@dataclass
class Job:
    """One import or re-transcription, with its progress."""

    kind: str  # "import" or "retranscribe"
    title: str
    session_id: str | None = None
    path: Path | None = None  # import: the file
    groups: list[list[int]] = field(default_factory=list)  # retranscribe: chunk groups left, each one window
    group_attempts: int = 0  # retranscribe: tries of the first group
    model: str | None = None
    language: str | None = None
    vocabulary: str = ""  # import: words and names to expect
    level: SpeechLevel = field(default_factory=SpeechLevel)  # import: the file's speech level and clipping
    detect_language: bool = False
    after_pending: bool = False  # wait until the session's pending chunks are done (second pass)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: str = "queued"  # queued, running, done, failed, cancelled
    decoded: float = 0.0  # import: fraction of the file decoded
    total_samples: int = 0
    done_samples: int = 0
    error: str | None = None
    failures: int = 0  # chunks that could not be transcribed
    started: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    @property
    def progress(self) -> float:
        if self.state == "done":
            return 1.0
        transcribed = self.done_samples / self.total_samples if self.total_samples else 0.0
        if self.kind == "import":
            return round(0.1 * self.decoded + 0.9 * transcribed * (1.0 if self.decoded >= 1.0 else self.decoded), 4)
        return round(transcribed, 4)

    @property
    def eta_s(self) -> float | None:
        if self.started is None or self.progress <= 0.02 or self.finished:
            return None
        elapsed = time.monotonic() - self.started
        return round(elapsed * (1 - self.progress) / self.progress, 1)

    def event(self) -> JobUpdated:
        return JobUpdated(self.id, self.kind, self.title, self.session_id, self.state, self.progress, self.eta_s,
                          self.error)  # fmt: skip
