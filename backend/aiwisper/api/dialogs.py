"""Native file dialogs: what the commands need of them. The desktop window provides them; a browser has none."""

from __future__ import annotations

from typing import Protocol

from aiwisper.errors import AiwisperError

MEDIA_TYPES = (
    "Audio and video (*.wav;*.mp3;*.m4a;*.aac;*.ogg;*.opus;*.flac;*.webm;*.mp4;*.mkv;*.mov)",
    "All files (*.*)",
)
DOCUMENT_TYPES = ("Documents (*.pdf;*.docx;*.txt;*.md;*.markdown)", "All files (*.*)")


class DialogsUnavailableError(AiwisperError):
    """No native dialogs here (browser mode): the UI uploads or downloads instead."""

    code = "unavailable"


class Dialogs(Protocol):
    def open_files(self, file_types: tuple[str, ...] = MEDIA_TYPES) -> list[str]:
        """Paths the user chose (empty when cancelled)."""
        ...

    def save_file(self, suggested_name: str) -> str | None:
        """The path to save to, or None when cancelled."""
        ...
