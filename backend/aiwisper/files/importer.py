"""Importing a file as a session: decoded into the session's WAV, cut into chunks by the VAD.

The session exists as `importing` while it is decoded; a failure or a cancel
deletes it with its folder, so no half-made session is left. Its chunks are
`pending` as soon as they are found, so transcription starts before decoding ends.
A stereo file with one party on each channel (a call recording) keeps both channels,
as the sources `left` and `right`, each cut and transcribed on its own (files/channels.py).
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import SpeechLevel
from aiwisper.audio.wav_writer import WavWriter
from aiwisper.errors import AiwisperError
from aiwisper.files.channels import separate_channels
from aiwisper.files.decode import DecodeError, decode_16k, probe
from aiwisper.segmenter import Chunk, ChunkMerger, Segmenter, VadOptions
from aiwisper.sessions import store
from aiwisper.sessions.recovery import VadFactory
from aiwisper.storage.db import Database


class Cancelled(AiwisperError):
    """The user cancelled the job."""

    code = "cancelled"


def import_file(
    path: Path,
    db: Database,
    data_dir: Path,
    vad: VadFactory,
    options: VadOptions,
    language: str | None,
    model: str | None,
    cancel: threading.Event,
    progress: Callable[[store.SessionRow, float], None] = lambda s, f: None,
    vocabulary: str = "",
    level: SpeechLevel | None = None,
    session_id: str | None = None,
) -> store.SessionRow:
    """Decode `path` into a new session; returns it once decoded (`done`), its chunks pending."""
    info = probe(path)  # bad files fail here, before anything is written
    sources = ["left", "right"] if separate_channels(path, info.channels) else ["file"]
    session_id = session_id or str(uuid.uuid4())
    folder = data_dir / "sessions" / session_id
    row = store.SessionRow(
        id=session_id, title=path.name, created_at=store.now_iso(), ended_at=None, duration_ms=0,
        status="importing", kind="import", sources=sources, audio_file=f"sessions/{session_id}/audio.wav",
        sample_rate=SAMPLE_RATE, language=language, model=model, error=None, vocabulary=vocabulary,
    )  # fmt: skip
    folder.mkdir(parents=True)
    wav = WavWriter(folder / "audio.wav", channels=len(sources), flush_interval=2.0)
    try:
        db.write(lambda c: store.insert_session(c, row))
        cutters = [(source, Segmenter(vad(), options), ChunkMerger()) for source in sources]

        def add(source: str, chunks: list[Chunk]) -> None:
            if chunks:
                db.write(
                    lambda c: [
                        store.add_chunk(c, session_id, source, k.start, k.end, store.ChunkStatus.PENDING)
                        for k in chunks
                    ]
                )

        for block in decode_16k(path, channels=len(sources)):
            if cancel.is_set():
                raise Cancelled(f"import of {path.name} cancelled")
            wav.write_float(block)
            for i, (source, seg, merger) in enumerate(cutters):
                add(source, merger.push(seg.push(block if block.ndim == 1 else block[:, i])))
                if level is not None:
                    for frame, prob in seg.heard():
                        level.push(frame, prob)
            if info.duration_s:
                progress(row, min(1.0, wav.frames / SAMPLE_RATE / info.duration_s))
        for source, seg, merger in cutters:
            add(source, merger.push(seg.finish()) + merger.finish())
        if wav.frames == 0:
            raise DecodeError(f"{path.name} contains no audio (zero length)")
        wav.close()
        duration = wav.frames * 1000 // SAMPLE_RATE
        db.write(lambda c: store.finish_session(c, session_id, store.Status.DONE, duration))
        return db.read(lambda c: store.get_session(c, session_id))
    except BaseException:
        wav.close()
        shutil.rmtree(folder, ignore_errors=True)
        db.write(lambda c: store.delete_session(c, session_id))
        raise
