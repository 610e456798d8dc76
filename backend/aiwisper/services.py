"""The app's services wired together once: the factory every entry point (CLI, server, window) uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper import paths
from aiwisper.api.dialogs import Dialogs
from aiwisper.asr.worker import EngineWorker
from aiwisper.events import EventBus
from aiwisper.meaning.service import SearchIndex
from aiwisper.models.registry import ModelRegistry
from aiwisper.priorities import waits_for
from aiwisper.segmenter import VadOptions
from aiwisper.sessions.level_monitor import LevelMonitor
from aiwisper.sessions.recorder import Recorder, SourceFactory, device_sources
from aiwisper.sessions.recovery import recover_sessions
from aiwisper.settings import Settings
from aiwisper.speakers.service import SpeakerService
from aiwisper.storage.db import Database
from aiwisper.summaries.service import SummaryService
from aiwisper.transcription.service import TranscriptionService
from aiwisper.vad import SileroVad


class Services:
    """Database, event bus, models, settings and the recorder of one data folder."""

    def __init__(
        self,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        source_factory: SourceFactory = device_sources,
        registry: ModelRegistry | None = None,
        transcription: bool = True,
        speakers: bool = True,
        background_index: bool = True,
        engine_worker: EngineWorker | None = None,
    ) -> None:
        """`engine_worker`: a speech engine worker started ahead (the CLI starts it first thing); the
        transcription service owns it from here on."""
        self.data_dir = paths.data_dir(data_dir)
        self.settings = settings or Settings.load(self.data_dir / "settings.json")
        self.bus = EventBus()
        self.registry = registry or ModelRegistry(paths.model_search_dirs())
        self.db = Database(self.data_dir)
        self._vad_path = self.registry.vad_path()
        self.recorder = Recorder(self.db, self.data_dir, self.bus, self.vad_factory, self.settings, source_factory)
        self.levels = LevelMonitor(self.bus, source_factory, lambda: self.recorder.session_id is not None)
        self.transcriber: TranscriptionService | None = None
        if not transcription and engine_worker is not None:
            engine_worker.close()
        if transcription:
            self.transcriber = TranscriptionService(
                self.db, self.data_dir, self.bus, self.registry, self.settings, self.recorder, self.vad_factory,
                engine_worker,
            )  # fmt: skip
        self.summaries: SummaryService | None = None  # summaries by a language model, on request
        self.speakers: SpeakerService | None = None  # diarization after transcription and on request
        if transcription:  # notes first: they hear of a finished session before the speakers, which wait for them
            self.summaries = SummaryService(self.db, self.bus, self.settings, self.registry)
            if speakers:
                self.speakers = SpeakerService(self.db, self.data_dir, self.bus, self.settings,
                                               self.registry.speaker_models(), self.summaries.busy)  # fmt: skip
        # Search by meaning: the app embeds new text in the background; the CLI embeds on demand, when it searches
        # (`transcribe` and `record` would otherwise wait for the model before exiting).
        background = transcription and background_index
        busy = [s.busy for s in (self.summaries, self.speakers) if s is not None]
        waits = waits_for(lambda: self.recorder.session_id is not None, *busy)
        self.index = SearchIndex(self.db, self.bus, self.registry.embedding_models_dir(), busy=waits,
                                 start=background)  # fmt: skip
        self.dialogs: Dialogs | None = None  # native file dialogs, set by the desktop window
        self._closed = False

    def vad_factory(self) -> Callable[[npt.NDArray[np.float32]], float]:
        """A fresh VAD (each stream needs its own state)."""
        return SileroVad(self._vad_path)

    def recover(self, resume_jobs: bool = True) -> list[str]:
        """Repair sessions a crash cut off, and resume (or mark failed) the jobs it cut off; once at start-up."""
        repaired = recover_sessions(
            self.db, self.data_dir, self.bus, self.vad_factory, VadOptions.from_settings(self.settings)
        )
        if resume_jobs and self.transcriber is not None:
            self.transcriber.resume_jobs()
        return repaired

    def close(self) -> None:
        """Stop recording (finalizing it) and close the database; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self.levels.close()
            self.recorder.close()
            if self.transcriber is not None:
                self.transcriber.close()
            if self.speakers is not None:
                self.speakers.close()
            if self.summaries is not None:
                self.summaries.close()
            self.index.close()
        finally:
            self.db.close()
