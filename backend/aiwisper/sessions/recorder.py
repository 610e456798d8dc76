"""The recording coordinator: one thread per session owns capture → mixer → WAV + segmenters.

`start` and `stop` may be called from any thread; all audio work happens on
the session thread. Stop drains: every block captured before Stop reaches the
WAV file and the segmenters, and every chunk they close is stored and handed
to the transcriber.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.capture import Block, CaptureError
from aiwisper.audio.level import LevelWatch, SystemSilenceWatch
from aiwisper.audio.mixer import Mixer
from aiwisper.audio.wav_writer import WavWriter
from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.events import ChunkCreated, Error, EventBus, SessionStarted, SessionStopped, Warning
from aiwisper.segmenter import Chunk, Segmenter, VadOptions
from aiwisper.sessions import store
from aiwisper.sessions.record_run import Run, watch
from aiwisper.sessions.sources import RecordConfig, Source, SourceFactory, SpokenChunk, device_sources
from aiwisper.settings import Settings
from aiwisper.storage.db import Database, StorageError

__all__ = ["BusyError", "RecordConfig", "Recorder", "Source", "SourceFactory", "State", "device_sources"]
log = logging.getLogger(__name__)


class BusyError(AiwisperError):
    """A recording is already running."""

    code = "busy"


class State(enum.Enum):
    IDLE = "idle"
    RECORDING = "recording"
    STOPPING = "stopping"


ChunkListener = Callable[[store.ChunkRow], None]


class Recorder:
    """Records one session at a time. Explicit states; `close()` stops and finalizes."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        bus: EventBus,
        vad_factory: Callable[[], Callable[[npt.NDArray[np.float32]], float]],
        settings: Settings,
        source_factory: SourceFactory = device_sources,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.bus = bus
        self.vad_factory = vad_factory
        self.settings = settings
        self.source_factory = source_factory
        self.chunk_listeners: list[ChunkListener] = []
        self.silence_listeners: list[Callable[[], None]] = []  # speech stopped in a chunk being spoken (session thread)
        self._lock = threading.Lock()
        self._state = State.IDLE
        self._run: Run | None = None
        self._spoken: tuple[SpokenChunk, ...] = ()

    @property
    def state(self) -> State:
        return self._state

    @property
    def session_id(self) -> str | None:
        run = self._run
        return run.session.id if run else None

    def start(self, config: RecordConfig) -> store.SessionRow:
        """Open the sources and begin writing; raises BusyError when already recording."""
        with self._lock:
            if self._state is not State.IDLE:
                raise BusyError("a recording is already running: stop it first")
            self._state = State.RECORDING
        try:
            run = _open_run(self, config)
        except BaseException:
            with self._lock:
                self._state = State.IDLE
            raise
        self._run = run
        run.thread = threading.Thread(target=self._loop, args=(run,), name="recorder", daemon=True)
        run.thread.start()
        # Return once every source delivers: a stream may take a moment to start (PulseAudio: ~1.5 s).
        while not run.flowing.wait(0.05) and not run.done.is_set():
            pass
        if run.done.is_set():
            raise CaptureError(run.error or "the recording stopped before any audio arrived")
        return run.session

    def stop(self, reason: str = "user", timeout: float = 60.0) -> store.SessionRow:
        """Stop, drain and finalize; returns the finished session."""
        with self._lock:
            run = self._run
            if run is None or self._state is State.IDLE:
                raise InvalidArgumentError("not recording")
            self._state = State.STOPPING
            if not run.stop.is_set():
                run.reason = reason
                run.stop.set()
        run.done.wait(timeout)
        return self.db.read(lambda c: store.get_session(c, run.session.id))

    def open_chunks(self) -> tuple[SpokenChunk, ...]:
        """The chunks being spoken now (for live partials): an immutable snapshot the session thread replaces
        after every block it handles."""
        return self._spoken

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the current session to end by itself (limit, auto-stop, error); True if it did."""
        run = self._run
        return True if run is None else run.done.wait(timeout)

    def close(self) -> None:
        """Stop a running recording; safe to call twice."""
        if self._state is not State.IDLE:
            with contextlib.suppress(InvalidArgumentError):
                self.stop("shutdown")

    # --- session thread -------------------------------------------------------------------

    def _loop(self, run: Run) -> None:
        # Published here, before this thread handles any audio: every event of a session comes after its start.
        self.bus.publish(SessionStarted(run.session.id, run.session.title, [label for label, _ in run.sources]))
        try:
            while not run.stop.is_set():
                try:
                    block: Block | None = run.queue.get(timeout=0.02)
                except queue.Empty:
                    block = None
                while block is not None:
                    self._ingest(run, block)
                    try:
                        block = run.queue.get_nowait()
                    except queue.Empty:
                        block = None
                self._process(run, run.mixer.pull())
                watch(run, self.bus, self.settings.whole("recording.auto_stop_minutes"))
        except OSError as e:
            log.exception("writing the recording failed")
            run.reason, run.error = "error", f"writing the recording failed: {e.strerror or e}"
        except Exception as e:
            log.exception("recording failed")
            run.reason, run.error = "error", f"recording failed: {e}"
        finally:
            self._finalize(run)

    def _ingest(self, run: Run, block: Block) -> None:
        run.last_block[block.source] = time.monotonic()
        if len(run.last_block) == len(run.sources):
            run.flowing.set()
        mono = block.data.mean(axis=1, dtype=np.float32) if block.data.shape[1] > 1 else block.data[:, 0]
        rs = run.resamplers[block.source]
        run.mixer.push(block.source, rs.resample_chunk(mono) if rs is not None else mono)

    def _process(self, run: Run, frames: npt.NDArray[np.float32]) -> None:
        if frames.shape[0] == 0:
            return
        run.wav.write_float(frames)
        for i, seg in enumerate(run.segmenters):
            for chunk in seg.push(frames[:, i]):
                self._store_chunk(run, i, chunk)
            for frame, prob in seg.heard():
                notice = run.watches[i].push(frame, prob)
                if notice is not None:
                    label = run.sources[i][0]
                    self.bus.publish(Warning(run.session.id, notice.code, f"{label}: {notice.message}",
                                             label, notice.level_db))  # fmt: skip
        if run.config.transcribe:
            before = {(c.source, c.start) for c in self._spoken if c.silence_start is not None}
            self._spoken = tuple(
                SpokenChunk(run.session.id, label, seg.open_start, min(seg.position, run.wav.frames), seg.closing_end,
                            seg.silence_start)
                for (label, _), seg in zip(run.sources, run.segmenters, strict=True)
                if seg.open_start is not None
            )  # fmt: skip
            if any(c.silence_start is not None and (c.source, c.start) not in before for c in self._spoken):
                for listener in list(self.silence_listeners):
                    listener()  # speech just stopped: its final can be computed while the silence goes on
        if len(run.sources) == 2 and run.system_watch.push(frames):
            self.bus.publish(
                Warning(run.session.id, "system_silent", "system audio is silent: check the monitor source")
            )

    def _store_chunk(self, run: Run, index: int, chunk: Chunk) -> None:
        label = run.sources[index][0]
        status = store.ChunkStatus.PENDING if run.config.transcribe else store.ChunkStatus.HELD
        sid = run.session.id

        def insert(c: Any) -> store.ChunkRow:
            cid = store.add_chunk(c, sid, label, chunk.start, chunk.end, status)
            return store.ChunkRow(cid, sid, label, chunk.start, chunk.end, status, 0, None)

        future = self.db.submit(insert)
        future.add_done_callback(lambda f: self._chunk_stored(run, f))
        run.pending_writes = [f for f in run.pending_writes if not f.done()] + [future]

    def _chunk_stored(self, run: Run, future: Future[store.ChunkRow]) -> None:
        if future.exception() is not None:
            self.bus.publish(Error(run.session.id, "storage", f"could not store a chunk: {future.exception()}"))
            return
        row = future.result()
        self.bus.publish(
            ChunkCreated(row.session_id, row.id, row.start_sample * 1000 // SAMPLE_RATE,
                         row.end_sample * 1000 // SAMPLE_RATE, row.source)
        )  # fmt: skip
        if row.status == store.ChunkStatus.PENDING:
            for listener in list(self.chunk_listeners):
                listener(row)

    def _finalize(self, run: Run) -> None:
        """Close the sources, drain what they delivered, close the chunks and the WAV, store the end."""
        try:
            for _, src in run.sources:
                src.close()
            try:
                while True:
                    self._ingest(run, run.queue.get_nowait())
            except queue.Empty:
                pass
            for i, rs in enumerate(run.resamplers):
                if rs is not None:
                    run.mixer.push(i, rs.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
            self._process(run, run.mixer.drain())
            for i, seg in enumerate(run.segmenters):
                for chunk in seg.finish():
                    self._store_chunk(run, i, chunk)
        except Exception as e:
            run.reason = "error"
            run.error = run.error or f"finishing the recording failed: {e}"
        finally:
            try:
                run.wav.close()
            except OSError as e:
                run.error = run.error or f"closing the recording failed: {e.strerror or e}"
            for f in run.pending_writes:
                with contextlib.suppress(Exception):
                    f.result(30)
            duration = run.wav.frames * 1000 // SAMPLE_RATE
            sid = run.session.id
            try:
                self.db.write(lambda c: store.finish_session(c, sid, store.Status.DONE, duration, run.error))
            except Exception as e:  # the WAV is final; recovery will close the row at next start
                run.error = run.error or f"could not store the end of the session: {e}"
            if run.error:
                self.bus.publish(Error(sid, "recording", run.error))
            self.bus.publish(SessionStopped(sid, duration, run.reason))
            with self._lock:
                self._state = State.IDLE
                self._run = None
                self._spoken = ()
            run.done.set()


def _open_run(recorder: Recorder, config: RecordConfig) -> Run:
    """The sources opened, the session stored and its WAV begun; on any failure, nothing is left behind."""
    q: queue.SimpleQueue[Block] = queue.SimpleQueue()
    sources = recorder.source_factory(config, q)  # resolves devices: unknown ones fail here, before any write
    session_id = str(uuid.uuid4())
    folder = recorder.data_dir / "sessions" / session_id
    created = store.now_iso()
    row = store.SessionRow(
        id=session_id,
        title=config.title or time.strftime("Recording %Y-%m-%d %H:%M"),
        created_at=created,
        ended_at=None,
        duration_ms=0,
        status=store.Status.RECORDING,
        kind="recording",
        sources=[label for label, _ in sources],
        audio_file=f"sessions/{session_id}/audio.wav",
        sample_rate=SAMPLE_RATE,
        language=config.language,
        model=config.model,
        error=None,
        vocabulary=config.vocabulary,
    )
    try:
        folder.mkdir(parents=True)
        wav = WavWriter(folder / "audio.wav", channels=len(sources))
    except OSError as e:
        shutil.rmtree(folder, ignore_errors=True)
        raise StorageError(f"cannot write to {recorder.data_dir}: {e.strerror or e}") from e
    opened: list[Source] = []
    try:
        recorder.db.write(lambda c: store.insert_session(c, row))
        for _, src in sources:
            src.start()
            opened.append(src)
    except BaseException:
        for src in opened:
            src.close()
        wav.close()
        shutil.rmtree(folder, ignore_errors=True)
        recorder.db.write(lambda c: c.execute("DELETE FROM sessions WHERE id = ?", (session_id,)))
        raise
    options = VadOptions.from_settings(recorder.settings)
    return Run(
        session=row,
        config=config,
        folder=folder,
        sources=sources,
        queue=q,
        wav=wav,
        mixer=Mixer([label for label, _ in sources]),
        resamplers=[
            soxr.ResampleStream(src.rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")
            if src.rate != SAMPLE_RATE
            else None
            for _, src in sources
        ],
        segmenters=[Segmenter(recorder.vad_factory(), options) for _ in sources],
        watches=[LevelWatch() for _ in sources],
        system_watch=SystemSilenceWatch(
            int(recorder.settings.number("recording.system_silence_warning_s") * SAMPLE_RATE)
        ),
    )
