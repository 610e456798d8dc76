"""Jobs: imports and re-transcriptions (the user queues them, processed in order, each cancellable) and
diarizations (speakers/service.py), each a row in SQLite so that a crash leaves none behind unseen."""

from __future__ import annotations

import enum
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiwisper.audio.level import SpeechLevel
from aiwisper.events import JobUpdated


class JobState(enum.StrEnum):
    """Where a job is; only the thread that runs the job moves it on (cancel marks it, under the lock)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
TRANSCRIPTIONS = ("import", "retranscribe")  # the kinds the transcription queue runs
DIARIZE = "diarize"  # the kind the speaker service runs


@dataclass
class Job:
    """One import or re-transcription, with its progress."""

    kind: str  # "import", "retranscribe" or "diarize"
    title: str
    session_id: str | None = None
    path: Path | None = None  # import: the file
    groups: list[list[int]] = field(default_factory=list)  # retranscribe: chunk groups left, each one window
    group_attempts: int = 0  # retranscribe: tries of the first group
    model: str | None = None
    language: str | None = None
    vocabulary: str = ""  # import: words and names to expect
    level: SpeechLevel | None = None  # import: the file's speech level and clipping, measured while decoding
    after_pending: bool = False  # wait until the session's pending chunks are done (second pass)
    speakers: int | None = None  # diarize: the count asked for (None: found automatically)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: JobState = JobState.QUEUED
    decoded: float = 0.0  # import: fraction of the file decoded
    total_samples: int = 0
    done_samples: int = 0
    error: str | None = None
    failures: int = 0  # chunks that could not be transcribed
    started: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

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


# --- persistence: one row per job (written by the transcription service, read at start-up) ---------------


def save_job(conn: sqlite3.Connection, job: Job) -> None:
    conn.execute(
        "INSERT INTO jobs (id, kind, title, state, session_id, path, model, language, vocabulary, error, created_at,"
        " speakers) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET state = excluded.state,"
        " session_id = excluded.session_id, error = excluded.error",
        (job.id, job.kind, job.title, str(job.state), job.session_id, str(job.path) if job.path else None,
         job.model, job.language, job.vocabulary, job.error, time.strftime("%Y-%m-%dT%H:%M:%S"), job.speakers),
    )  # fmt: skip


def unfinished_jobs(conn: sqlite3.Connection, kinds: tuple[str, ...] = TRANSCRIPTIONS) -> list[Job]:
    """Jobs of these kinds a crash or a quit cut off (queued or running), oldest first."""
    rows = conn.execute(f"SELECT * FROM jobs WHERE state IN ('queued', 'running') AND kind IN ({_marks(kinds)})"
                        " ORDER BY created_at, rowid", kinds).fetchall()  # fmt: skip
    return [
        Job(r["kind"], r["title"], session_id=r["session_id"], path=Path(r["path"]) if r["path"] else None,
            model=r["model"], language=r["language"], vocabulary=r["vocabulary"], id=r["id"], speakers=r["speakers"])
        for r in rows
    ]  # fmt: skip


def has_job(conn: sqlite3.Connection, kind: str, session_id: str) -> bool:
    """Whether a job of this kind was ever made for the session (whatever its state)."""
    return (
        conn.execute("SELECT 1 FROM jobs WHERE kind = ? AND session_id = ? LIMIT 1", (kind, session_id)).fetchone()
        is not None
    )


def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def finished_jobs(conn: sqlite3.Connection, limit: int = 50) -> list[Job]:
    """The latest finished imports and re-transcriptions (what the UI lists after a restart)."""
    rows = conn.execute(
        f"SELECT * FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND kind IN ({_marks(TRANSCRIPTIONS)})"
        " ORDER BY created_at DESC, rowid DESC LIMIT ?",
        (*TRANSCRIPTIONS, limit),
    ).fetchall()
    return [
        Job(r["kind"], r["title"], session_id=r["session_id"], id=r["id"], state=JobState(r["state"]),
            error=r["error"])
        for r in reversed(rows)
    ]  # fmt: skip
