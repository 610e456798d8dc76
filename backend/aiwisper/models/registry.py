"""The model registry: the rest of the app asks it for a model by name, or for the default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import NotFoundError
from aiwisper.languages import for_model
from aiwisper.models.manifest import ModelRecord, load_manifest
from aiwisper.models.sources import CAMPPLUS_FILE, E5_FILE, SEGMENTATION_FILE, SILERO_FILE


@dataclass(frozen=True)
class InstalledModel:
    """A model that can be loaded: its record and where its file is."""

    record: ModelRecord
    path: Path

    @property
    def name(self) -> str:
        return self.record.name


class ModelRegistry:
    """Models found in the search folders; the first folder holding a name wins."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    def list(self) -> list[InstalledModel]:
        found: dict[str, InstalledModel] = {}
        for folder in self.folders:
            for rec in load_manifest(folder).models:
                path = folder / rec.file
                if rec.name not in found and path.is_file():
                    found[rec.name] = InstalledModel(rec, path)
        return sorted(found.values(), key=lambda m: m.name)

    def get(self, name: str) -> InstalledModel:
        for model in self.list():
            if model.name == name:
                return model
        known = ", ".join(m.name for m in self.list()) or "none (run: aiwisper models build)"
        raise NotFoundError(f"no model named {name!r}; installed: {known}")

    def default(self, language: str | None = "en", cores: int | None = None) -> InstalledModel:
        """The model to use when the user chose none.

        English on a small machine gets tiny.en (q8_0: smaller and as accurate as f16,
        see MODEL-FACTS; q5_1 where only that is installed, as in the one-file binary); other languages, or
        8+ cores, get base, which is multilingual.
        """
        cores = cores or os.cpu_count() or 1
        english = language == "en"
        if english and cores < 8:
            order = ["tiny.en-q8_0", "tiny.en", "tiny.en-q5_1", "base-q8_0", "base"]
        elif english:
            order = ["base-q8_0", "base", "tiny.en-q8_0", "tiny.en", "tiny.en-q5_1"]
        else:
            order = ["base-q8_0", "base"]
        installed = {m.name: m for m in self.list()}
        for name in order:
            if name in installed:
                return installed[name]
        if not english:
            multi = [m for m in installed.values() if m.record.languages == "multilingual"]
            if multi:
                return multi[0]
            raise NotFoundError(f"no multilingual model installed for language {language!r}")
        if installed:
            return next(iter(installed.values()))
        raise NotFoundError("no Whisper model is installed (run: aiwisper models build)")

    def resolve(self, name: str | None, language: str | None) -> tuple[InstalledModel, str | None]:
        """The model `name` (None: the default for the language) and the language it will transcribe:
        English-only models always transcribe English; another language with them is refused."""
        model = self.get(name) if name else self.default(language)
        return model, for_model(model.name, model.record.languages == "en", language)

    def embedding_models_dir(self) -> Path:
        """Where the text-embedding model is (the first folder holding it; else beside the VAD file)."""
        for folder in self.folders:
            if (folder / E5_FILE).is_file():
                return folder
        return self.folders[0]

    def speaker_models(self) -> tuple[Path, Path]:
        """Where the speaker models are (segmentation, embedding; beside the VAD file): they may be missing on an
        older install."""
        return self.vad_path().parent / SEGMENTATION_FILE, self.vad_path().parent / CAMPPLUS_FILE

    def vad_path(self) -> Path:
        """The Silero VAD ONNX file."""
        for folder in self.folders:
            if (folder / SILERO_FILE).is_file():
                return folder / SILERO_FILE
        raise NotFoundError(f"{SILERO_FILE} is missing (run: aiwisper models build)")
