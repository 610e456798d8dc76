"""Start-up repair of sessions a crash cut off.

A session still marked `recording` gets its WAV header rewritten from the file
size, the audio after its last stored chunk cut into chunks again, and is
closed with its real duration as `recovered`. Chunks never transcribed stay
`pending`, so the transcriber picks them up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.wav_writer import repair_wav
from aiwisper.events import EventBus, SessionRecovered
from aiwisper.segmenter import Segmenter, VadOptions
from aiwisper.sessions import store
from aiwisper.sessions.audio import read_range
from aiwisper.storage.db import Database

_BLOCK = SAMPLE_RATE * 10
VadFactory = Callable[[], Callable[[npt.NDArray[np.float32]], float]]


def _chunks_after(
    path: Path, frames: int, channels: int, labels: list[str], done: list[store.ChunkRow], vad: VadFactory,
    options: VadOptions,
) -> list[tuple[str, int, int]]:  # fmt: skip
    """Chunks in the audio after each channel's last stored chunk, found again with the VAD."""
    if frames == 0:
        return []
    found: list[tuple[str, int, int]] = []
    for ch, label in enumerate(labels[:channels]):
        start = max((c.end_sample for c in done if c.source == label), default=0)
        seg = Segmenter(vad(), options, offset=start)
        for pos in range(start, frames, _BLOCK):
            block = read_range(path, ch, pos, min(pos + _BLOCK, frames))
            found += [(label, c.start, c.end) for c in seg.push(block)]
        found += [(label, c.start, c.end) for c in seg.finish()]
    return found


def recover_sessions(db: Database, data_dir: Path, bus: EventBus, vad: VadFactory, options: VadOptions) -> list[str]:
    """Repair every session left `recording`; return their ids."""
    repaired = []
    for s in db.read(lambda c: store.sessions_with_status(c, store.Status.RECORDING)):
        sid = s.id
        try:
            frames, channels = repair_wav(data_dir / s.audio_file)
        except (OSError, ValueError) as e:
            error = f"audio lost: {e}"
            db.write(lambda c: store.finish_session(c, sid, store.Status.FAILED, 0, error))  # noqa: B023 - runs before the loop moves on
            continue
        done = db.read(lambda c: store.chunks_of(c, sid))  # noqa: B023
        new = _chunks_after(data_dir / s.audio_file, frames, channels, s.sources, done, vad, options)
        duration = frames * 1000 // SAMPLE_RATE

        def close(
            c: sqlite3.Connection, sid: str = sid, new: list[tuple[str, int, int]] = new, ms: int = duration
        ) -> int:
            for label, a, b in new:
                store.add_chunk(c, sid, label, a, b, store.ChunkStatus.PENDING)
            store.finish_session(c, sid, store.Status.RECOVERED, ms)
            sql = "SELECT COUNT(*) FROM chunks WHERE session_id = ? AND status = 'pending'"
            return int(c.execute(sql, (sid,)).fetchone()[0])

        pending = db.write(close)
        bus.publish(SessionRecovered(sid, duration, pending))
        repaired.append(sid)
    return repaired
