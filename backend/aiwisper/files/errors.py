"""What every decoder shares: its error, what a probe tells, and the checks made before opening a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import InvalidArgumentError


class DecodeError(InvalidArgumentError):
    """A file is not readable audio: corrupt, empty, or without an audio track."""


@dataclass(frozen=True)
class MediaInfo:
    """What a file holds before decoding."""

    duration_s: float | None
    rate: int
    channels: int
    codec: str


def check_file(path: Path) -> None:
    if not path.is_file():
        raise DecodeError(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise DecodeError(f"{path.name} is empty")
