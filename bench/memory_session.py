"""Memory over a 1-hour session, replayed faster than real time through the real pipeline.

Replay (speech and silence, unpaced) → mixer → WAV writer → Silero VAD segmenter
→ SQLite, exactly as a recording runs. RSS is sampled every simulated five
minutes; the figure is its growth over the hour after the first five minutes
(start-up allocations excluded). The peer is the process's own RSS when the
session starts (growth as a fraction of it). Goal: ≤ 5 MB per hour.
"""

from __future__ import annotations

import queue
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.capture import Block
from aiwisper.audio.file_source import FileSource
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.services import Services
from aiwisper.sessions.recorder import RecordConfig, Source
from aiwisper.settings import Settings
from bench.common import rss_mb

TESTDATA = Path(__file__).resolve().parents[1] / "tests" / "data"
HOUR = 3600


def run(seconds: int = HOUR) -> dict[str, Any]:
    jfk = read_wav_16k(TESTDATA / "jfk.wav")
    loop = np.concatenate([jfk, np.zeros(SAMPLE_RATE * 4, dtype=np.float32)])

    def factory(config: RecordConfig, out: queue.SimpleQueue[Block]) -> list[tuple[str, Source]]:
        return [("mic", FileSource(loop, 0, out, speed=0, loop=True))]

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings({"recording.auto_stop_minutes": 0})
        svc = Services(Path(tmp), settings, source_factory=factory)
        samples: list[tuple[float, float]] = []
        t0 = time.perf_counter()
        try:
            session = svc.recorder.start(RecordConfig(transcribe=False, max_seconds=seconds))
            wav = Path(tmp) / session.audio_file
            step = 300 * SAMPLE_RATE * 2
            next_mark = 0
            while not svc.recorder.wait(0.05):
                size = wav.stat().st_size - 44
                if size >= next_mark:
                    samples.append((size / 2 / SAMPLE_RATE, rss_mb()))
                    next_mark += step
            samples.append((seconds, rss_mb()))
            chunks = svc.db.read(lambda c: c.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        finally:
            svc.close()
        wall = time.perf_counter() - t0
    after_warmup = [r for s, r in samples if s >= 300] or [samples[-1][1]]
    growth = samples[-1][1] - after_warmup[0]
    start_rss = samples[0][1]
    print(f"simulated {seconds / 3600:.2f} h in {wall:.0f} s ({seconds / wall:.0f}x real time), {chunks} chunks")
    for s, r in samples:
        print(f"  {s / 60:6.1f} min  RSS {r:7.1f} MB")
    return {
        "name": "recording memory over 1 h (capture path, VAD, WAV, SQLite)",
        "ours": f"+{growth:.1f} MB/h after warm-up, peak {max(r for _, r in samples):.0f} MB",
        "peer": f"RSS at start {start_rss:.0f} MB",
        "ratio": f"{growth / start_rss:.3f}",
        "goal": "≤ 5 MB/h",
        "met": growth <= 5.0,
        "note": f"{seconds / wall:.0f}x real time, {chunks} chunks",
    }


if __name__ == "__main__":
    from bench.common import save

    save([run(int(sys.argv[1]) if len(sys.argv) > 1 else HOUR)])
