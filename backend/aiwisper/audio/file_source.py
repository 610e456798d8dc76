"""A capture source that replays audio (a file, or generated), paced like a device or faster.

Used to replay speech through the real pipeline in tests and benchmarks, and
for `aiwisper record --replay FILE`.
"""

from __future__ import annotations

import queue
import threading
import time

import numpy as np
import numpy.typing as npt

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.capture import BLOCK_SECONDS, Block


class FileSource:
    """Feeds `audio` (mono float32 at `rate`) in 20 ms blocks; `speed` 1.0 is real time, 0 is unpaced.

    With `loop=True` it repeats until closed. Unpaced replay waits while the
    consumer is more than `max_queued` blocks behind, so memory stays flat.
    """

    def __init__(
        self,
        audio: npt.NDArray[np.float32],
        index: int,
        out: queue.SimpleQueue[Block],
        rate: int = SAMPLE_RATE,
        speed: float = 1.0,
        loop: bool = False,
        max_queued: int = 200,
    ) -> None:
        self.audio = np.asarray(audio, dtype=np.float32)
        self.index = index
        self.rate = rate
        self.channels = 1
        self.speed = speed
        self.loop = loop
        self.overflows = 0
        self.failed: str | None = None
        self.finished = threading.Event()
        self.started_at: float | None = None  # time.monotonic() of the first sample (benchmarks time against it)
        self._out = out
        self._max_queued = max_queued
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"file-source-{index}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        block = int(self.rate * BLOCK_SECONDS)
        t0 = self.started_at = time.monotonic()
        sent = 0
        pos = 0
        while not self._stop.is_set():
            if pos >= len(self.audio):
                if not self.loop:
                    break
                pos = 0
            piece = self.audio[pos : pos + block]
            pos += block
            if self.speed > 0:
                due = t0 + sent / self.rate / self.speed
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    break
            else:
                while self._out.qsize() > self._max_queued and not self._stop.wait(0.002):
                    pass
            self._out.put(Block(self.index, piece.reshape(-1, 1).copy()))
            sent += len(piece)
        self.finished.set()

    def close(self) -> None:
        """Stop feeding; safe to call twice."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)
