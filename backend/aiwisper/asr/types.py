"""What an engine returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A stretch of recognized text with its times in the audio given to the engine."""

    start_ms: int
    end_ms: int
    text: str
