"""The chunk transcriber: audio of a chunk → engine worker → guard → SQLite → event. Owned by the transcriber
thread; it also computes live partials and speculative finals of the chunks being spoken."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from aiwisper.asr.types import DecodeOptions, EngineResult
from aiwisper.asr.whisper_cpp import EngineError, audio_ctx_for
from aiwisper.asr.worker import EngineWorker, WorkerCrashed
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import is_digital_silence
from aiwisper.errors import AiwisperError
from aiwisper.events import ChunkFailed, ChunkTranscribed, EventBus, PartialTranscript, SessionUpdated
from aiwisper.languages import detected
from aiwisper.models.registry import InstalledModel
from aiwisper.sessions import store
from aiwisper.sessions.audio import read_range
from aiwisper.settings import Settings
from aiwisper.storage.db import Database
from aiwisper.transcription import echo
from aiwisper.transcription.decoding import Decoding
from aiwisper.transcription.guard import GuardOptions, filter_segments, guard
from aiwisper.transcription.live import LivePolicy, OpenChunk
from aiwisper.transcription.live_memory import LiveMemory
from aiwisper.transcription.queue import JobQueue, Work
from aiwisper.transcription.speculation import Ahead, Speculation

MAX_RETRIES = 2
Resolve = Callable[[str | None, str | None], tuple[InstalledModel, str | None]]


def _ms(samples: int) -> int:
    return samples * 1000 // SAMPLE_RATE


def segment_rows(
    result: EngineResult, options: GuardOptions, offset: int, end_ms: int
) -> tuple[list[store.NewSegment], str | None]:
    """The segments to store for a chunk at `offset` ms, and, when none is left, why (the VAD heard speech)."""
    segments: list[store.NewSegment] = []
    reasons = []
    for guarded in (guard(s, options) for s in result.segments):
        seg = guarded.segment
        if seg is None:
            reasons += [guarded.reason] if guarded.reason else []
            continue
        words = [
            store.Word(text=w.text, start_ms=offset + w.start_ms, end_ms=offset + w.end_ms, p=round(w.p, 3),
                       low=guarded.uncertain or w.p < options.low_word_p)
            for w in seg.words
        ]  # fmt: skip
        confidence = round(min((w.p for w in seg.words), default=1.0), 3)
        segments.append(store.NewSegment(offset + seg.start_ms, min(offset + seg.end_ms, end_ms), seg.text,
                                         confidence, words))  # fmt: skip
    if segments:
        return segments, None
    return segments, "speech was heard but no words were recognized" + (f" ({reasons[0]})" if reasons else "")


class ChunkTranscriber:
    """Turns chunks into stored, published text with the engine worker it owns."""

    def __init__(
        self, db: Database, data_dir: Path, bus: EventBus, settings: Settings, jobs: JobQueue, resolve: Resolve,
        worker: EngineWorker | None = None,
    ) -> None:  # fmt: skip
        self.db = db
        self.data_dir = data_dir
        self.bus = bus
        self.settings = settings
        self.jobs = jobs
        self.resolve = resolve
        self.worker = worker or EngineWorker()  # owned from here on: closed by close()
        self.worker.max_rss_mb = settings.whole("transcription.worker_memory_mb")
        self.policy = LivePolicy()
        self.guard = GuardOptions.from_settings(settings)
        self.decoding = Decoding(settings, self.guard)
        self.ahead = Speculation()  # finals computed while the silence that closes their chunk goes on
        self.batched: dict[int, tuple[Path, EngineResult]] = {}  # chunk id → (engine path, result), see prepare_batch
        self.memory = LiveMemory(db)
        self.retry_pending = False  # a chunk of the recording failed and waits in SQLite to be tried again
        self.live_pending: Callable[[str], int] = lambda _sid: 0  # live chunks handed over and not yet done

    def close(self) -> None:
        self.worker.close()

    def _decode(self, path: Path, audio: np.ndarray, options: DecodeOptions) -> EngineResult:
        return self.worker.transcribe(path, self.decoding.threads(), audio, options, self.decoding.timeout(len(audio)))

    def speculate(self, chunks: list[OpenChunk]) -> bool:
        """Speech just stopped in an open chunk: transcribe it as its final while the VAD waits out the
        silence that closes it, so the final text is ready the moment the chunk closes (see speculation.py)."""
        for c in chunks:
            end, silent_from = c.closing_end, c.silence_start
            if end is None or silent_from is None:
                continue
            key = (c.session_id, c.source, c.start, end)
            if not self.ahead.due(key, c.end - silent_from):
                continue
            self.ahead.begin(key)
            session = self._session(c.session_id, live=True)
            row = store.ChunkRow(0, c.session_id, c.source, c.start, end, store.ChunkStatus.PENDING, 0, None)
            heard_to = min(c.end, end)
            audio = read_range(self.data_dir / session.audio_file, session.sources.index(c.source), c.start, heard_to)
            if is_digital_silence(audio):
                return True
            audio = np.pad(audio, (0, end - heard_to))  # the rest of the silence, still to come
            try:
                model, language = self.resolve(session.model, session.language)
                path = self.decoding.engine_path(model)
                options = self._final_options(row, session, path, language, len(audio), live=True)
                result = self._decode(path, audio, options)
            except AiwisperError:
                return True  # the final is computed as usual
            self.ahead.done(key, Ahead(path, options, result, heard_to))
            return True
        return False

    def _session(self, session_id: str, live: bool) -> store.SessionRow:
        return self.memory.session(session_id, live)

    def _final_options(
        self, chunk: store.ChunkRow, session: store.SessionRow, path: Path, language: str | None, samples: int,
        live: bool,
    ) -> DecodeOptions:  # fmt: skip
        prev_text, prev_end = self.memory.previous(chunk, live)
        previous = self.policy.prompt(prev_text, prev_end, chunk.start_sample)
        ctx = self.decoding.final_ctx(path, samples, live)
        return self.decoding.options(language, self.decoding.prompt(session, previous), ctx, self.decoding.beam(live))

    def partial(self, chunks: list[OpenChunk]) -> bool:
        """A partial transcript of a chunk being spoken (or its final ahead of time); False if none is due."""
        if self.speculate(chunks):
            return True
        target = self.policy.next_partial(chunks) if chunks else None
        if target is None:
            return False
        session = self._session(target.session_id, live=True)
        audio = read_range(
            self.data_dir / session.audio_file, session.sources.index(target.source), target.start, target.end
        )
        if is_digital_silence(audio):
            return True
        try:
            model, language = self.resolve(session.model, session.language)
        except AiwisperError:
            return False  # the model is gone or cannot do the language: its final reports it, once
        fast = self.settings.text("transcription.fast_encoder") != "off"
        seconds = len(audio) / SAMPLE_RATE
        # A partial is replaced soon: no fallback decoding, and no more tokens than speech can hold.
        options = replace(
            self.decoding.options(language, self.decoding.prompt(session, ""), audio_ctx_for(seconds) if fast else 0),
            temperature_inc=0.0,
            max_tokens=int(8 * seconds) + 8,
        )
        try:
            result = self._decode(self.decoding.engine_path(model), audio, options)
        except AiwisperError:
            return True  # partials are best effort; the final will retry
        text = " ".join(s.text for s in filter_segments(result.segments, self.guard))
        if text:
            self.bus.publish(
                PartialTranscript(target.session_id, target.source, _ms(target.start), _ms(target.end), text)
            )
        else:
            self.policy.no_words(target)
        return True

    def transcribe(self, work: Work) -> None:
        chunk, job = work.chunk, work.job
        session = self._session(chunk.session_id, work.live)
        if job is not None:
            self.jobs.started(job)
        language = job.language if job is not None and job.kind == "retranscribe" else session.language
        model_name = job.model if job is not None and job.model else session.model
        try:
            model, language = self.resolve(model_name, language)
        except AiwisperError as e:
            self._chunk_done(work, failed=str(e))
            return
        audio = read_range(self.data_dir / session.audio_file, session.sources.index(chunk.source),
                           chunk.start_sample, chunk.end_sample)  # fmt: skip
        segments: list[store.NewSegment] = []
        result: EngineResult | None = None
        note: str | None = None
        if not is_digital_silence(audio):
            live = work.live or (job is None and session.status == store.Status.RECORDING)
            path = self.decoding.engine_path(model)
            options = self._final_options(chunk, session, path, language, len(audio), live)
            key = (chunk.session_id, chunk.source, chunk.start_sample, chunk.end_sample)
            ahead = self.ahead.take(key, path, options, audio)  # computed while the closing silence went on
            batched = self.batched.pop(chunk.id, None) if not work.redo else None
            try:
                if ahead is not None:
                    result = ahead
                elif batched is not None and batched[0] == path:
                    result = batched[1]  # computed with the chunks after it (prepare_batch)
                else:
                    result = self._decode(path, audio, options)
            except WorkerCrashed as e:
                self._crashed(work, e)
                return
            except EngineError as e:
                self._chunk_done(work, failed=str(e))
                return
            segments, note = segment_rows(result, self.guard, _ms(chunk.start_sample), _ms(chunk.end_sample))
        found = detected(result.language) if result is not None and language is None and segments else None

        target, rows, echoes = self.db.write(
            partial(_store, work=work, session=session, segments=segments, found=found)
        )
        if work.live:
            self.memory.stored(chunk, rows, session, found)
        event = ChunkTranscribed(
            session.id,
            target.id,
            chunk.source,
            _ms(chunk.start_sample),
            _ms(chunk.end_sample),
            rows,
            [cid for cid in work.replaces if cid != target.id],
            note,
        )
        self.bus.publish(event)
        for mic in self.db.read(lambda c: store.chunks_by_id(c, echoes)) if echoes else []:
            mic_rows = self.db.read(partial(store.segments_of_chunk, chunk_id=mic.id))
            self.bus.publish(ChunkTranscribed(session.id, mic.id, mic.source, _ms(mic.start_sample),
                                              _ms(mic.end_sample), mic_rows))  # fmt: skip
        self._chunk_done(work, session=session)

    def _crashed(self, work: Work, e: WorkerCrashed) -> None:
        """The worker died on a chunk: tried again (a re-transcription's window too) until MAX_RETRIES, then failed."""
        chunk, job = work.chunk, work.job
        if work.redo:  # the old text stands; the window is tried again, then given up
            assert job is not None
            job.group_attempts += 1
            if job.group_attempts > MAX_RETRIES:
                self._chunk_done(work, failed=str(e))
            return
        attempts = chunk.attempts + 1
        final = attempts > MAX_RETRIES
        reason = str(e)
        self.db.write(lambda c: store.fail_chunk(c, chunk.id, attempts, reason, final))
        if final:
            self._chunk_done(work, failed=reason, stored=True)
        else:  # still pending: tried again next
            self.retry_pending = True

    def _chunk_done(self, work: Work, failed: str | None = None, stored: bool = False,
                    session: store.SessionRow | None = None) -> None:  # fmt: skip
        chunk, job = work.chunk, work.job
        if failed is not None:
            if not stored and not work.redo:  # a failed re-transcription leaves the chunk as it was
                self.db.write(lambda c: store.fail_chunk(c, chunk.id, chunk.attempts, failed, True))
            self.bus.publish(ChunkFailed(chunk.session_id, chunk.id, failed))
            if job is not None:
                job.failures += 1
                job.error = failed
        if job is not None:
            with self.jobs.lock:
                job.done_samples += chunk.end_sample - chunk.start_sample
                if work.redo and job.groups:
                    job.groups.pop(0)
                    job.group_attempts = 0
            self.jobs.changed(job)
        if work.live and session is not None and failed is None:  # still recording: nothing to read back
            self.bus.publish(
                SessionUpdated(
                    session.id,
                    session.status,
                    self.live_pending(session.id),
                    self.memory.language(session),
                )
            )
            return  # fmt: skip
        session = self.db.read(lambda c: store.get_session(c, chunk.session_id))
        pending = self.db.read(lambda c: store.count_pending(c, chunk.session_id))
        self.bus.publish(SessionUpdated(session.id, session.status, pending, session.language))


def _store(c: sqlite3.Connection, work: Work, session: store.SessionRow, segments: list[store.NewSegment],
           found: str | None) -> tuple[store.ChunkRow, list[store.SegmentRow], list[int]]:  # fmt: skip
    """A chunk's text stored (a window over several chunks becomes one), the language found, and echoes of the
    call removed from the microphone's text; (the chunk, its segments, the mic chunks that lost words)."""
    chunk = work.chunk
    target = chunk
    if len(work.replaces) > 1:  # a window over several chunks becomes one chunk
        target = store.merge_chunks(c, work.replaces, chunk)
    rows = store.replace_chunk_segments(c, target, segments)
    if found and session.language is None and not work.redo:
        store.set_language(c, session.id, found)
    echoes: list[int] = []  # mic chunks that lost the call's words to this system chunk
    if {"mic", "system"} <= set(session.sources):
        if chunk.source == "mic" and echo.remove_echo(c, session.id, rows):
            rows = store.segments_of_chunk(c, target.id)
        elif chunk.source == "system":
            near = echo.mic_near(c, session.id, _ms(chunk.start_sample), _ms(chunk.end_sample))
            if echo.remove_echo(c, session.id, near):
                echoes = sorted({s.chunk_id for s in near if s.chunk_id is not None})
    return target, rows, echoes
