"""Live transcription policy: when to transcribe the open chunk, and what to prompt with. Pure logic.

While someone speaks, the chunk the VAD holds open is transcribed about once
a second, only when the engine is idle, and shown as a partial that the
final text replaces. The previous chunk's text is the prompt for continuity,
unless a long silence lies between them: then the context is reset so one
error does not carry on.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiwisper.audio import SAMPLE_RATE


@dataclass(frozen=True)
class LiveOptions:
    partial_interval_s: float = 1.0  # at most one partial a second per chunk
    min_partial_s: float = 0.7  # too little audio for a useful partial
    retry_s: float = 0.3  # after a partial without words, the next one comes this much audio later
    prompt_reset_s: float = 3.0  # silence after which the previous text is not a prompt
    prompt_chars: int = 200  # the prompt's length, from the end of the previous text


@dataclass
class OpenChunk:
    """What the policy knows of one chunk being spoken: where it starts, how far audio goes now."""

    session_id: str
    source: str
    start: int
    end: int
    closing_end: int | None = None  # where it ends if the silence now heard goes on
    silence_start: int | None = None  # where that silence began


class LivePolicy:
    """Decides partials; remembers when each open chunk last had one."""

    def __init__(self, options: LiveOptions | None = None) -> None:
        self.opt = options or LiveOptions()
        self._last: dict[tuple[str, str, int], int] = {}  # chunk → audio end at its last partial

    def next_partial(self, chunks: list[OpenChunk]) -> OpenChunk | None:
        """The open chunk to transcribe now, or None."""
        live_keys = {(c.session_id, c.source, c.start) for c in chunks}
        self._last = {k: v for k, v in self._last.items() if k in live_keys}
        best: OpenChunk | None = None
        best_since = 0
        for c in chunks:
            if c.end - c.start < self.opt.min_partial_s * SAMPLE_RATE:
                continue
            last = self._last.get((c.session_id, c.source, c.start))
            if last is not None and c.end - last < self.opt.partial_interval_s * SAMPLE_RATE:
                continue
            since = c.start if last is None else last  # the longest-waiting chunk first
            if best is None or since < best_since:
                best, best_since = c, since
        if best is not None:
            self._last[(best.session_id, best.source, best.start)] = best.end
        return best

    def no_words(self, chunk: OpenChunk) -> None:
        """The partial of `chunk` found no words (often the first, on too little speech): retry soon."""
        key = (chunk.session_id, chunk.source, chunk.start)
        if key in self._last:
            self._last[key] = chunk.end - int((self.opt.partial_interval_s - self.opt.retry_s) * SAMPLE_RATE)

    def prompt(self, previous_text: str | None, previous_end: int | None, start: int) -> str:
        """The prompt for a chunk starting at `start`, given the previous chunk of its source."""
        if not previous_text or previous_end is None:
            return ""
        if start - previous_end > self.opt.prompt_reset_s * SAMPLE_RATE:
            return ""
        return previous_text[-self.opt.prompt_chars :]
