"""The app, its devices, models and settings."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from aiwisper import __version__, paths
from aiwisper.api.commands.base import Commands
from aiwisper.api.registry import command
from aiwisper.api.results import (
    AppInfo,
    DefaultModel,
    ModelInfo,
    SettingChanged,
    SettingInfo,
    SettingValue,
    Watching,
)
from aiwisper.audio.capture import Device
from aiwisper.errors import AiwisperError
from aiwisper.logs import log_path
from aiwisper.settings import CHOICES, SETTINGS
from aiwisper.settings_words import shown


class AppCommands(Commands):
    """The app, its devices, models and settings."""

    @command("app.info")
    def app_info(self) -> AppInfo:
        """Version, data folder, default model and anything the user should fix."""
        warnings = []
        try:
            model: str | None = self.services.registry.default(
                self.services.settings.text("transcription.language") or "en"
            ).name
        except AiwisperError as e:
            model, warnings = None, [str(e)]
        return AppInfo(__version__, str(self.services.data_dir), model, warnings, self.services.recorder.session_id,
                       str(log_path(self.services.data_dir)))  # fmt: skip

    @command("devices.list")
    def devices_list(self) -> list[Device]:
        """Audio inputs: microphones and system-audio sources."""
        from aiwisper.audio.capture import list_devices

        return list_devices()

    @command("devices.watch_level")
    def devices_watch_level(self, mic: str = "default") -> Watching:
        """Publish a microphone's level (`mic_level` events) for the next 30 s, while nothing records; ask again to
        go on."""
        self.services.levels.watch(mic)
        return Watching(mic)

    @command("devices.stop_level")
    def devices_stop_level(self) -> Watching:
        """Stop publishing the microphone's level (the device is closed)."""
        self.services.levels.close()
        return Watching(None)

    @command("models.list")
    def models_list(self) -> list[ModelInfo]:
        """Installed models with sizes, languages and which is the default."""
        default = self.services.settings.text("transcription.model")
        return [ModelInfo(**asdict(m.record), path=str(m.path), default=m.name == default)
                for m in self.services.registry.list()]  # fmt: skip

    @command("models.import")
    def models_import(self, path: str, name: str | None = None) -> ModelInfo:
        """Import a ggml .bin or a faster-whisper folder."""
        from aiwisper.models.install import import_model

        folder = paths.models_dir()
        record = import_model(Path(path), folder, name)
        default = record.name == self.services.settings.text("transcription.model")
        return ModelInfo(**asdict(record), path=str(folder / record.file), default=default)

    @command("summaries.import_model")
    def summaries_import_model(self, path: str) -> SettingChanged:
        """Copy a GGUF language model (its header checked) into the models folder and summarize with it."""
        from aiwisper.summaries.gguf import import_gguf

        target = import_gguf(Path(path), paths.models_dir())
        self.services.settings.set("summaries.model", target.name)
        return SettingChanged("summaries.model", self.services.settings.text("summaries.model"))

    @command("models.set_default")
    def models_set_default(self, name: str) -> DefaultModel:
        """Make a model the default (empty name: choose by machine and language)."""
        self.check_combination(name, self.services.settings.text("transcription.language"))
        self.services.settings.set("transcription.model", name)
        return DefaultModel(name)

    @command("settings.get")
    def settings_get(self) -> list[SettingInfo]:
        """Every setting with its value, default and help."""
        return [SettingInfo(s.name, self.services.settings.value(s.name), s.default, s.help, s.minimum, s.maximum,
                            shown(s.name).group, shown(s.name).label, shown(s.name).unit, list(CHOICES.get(s.name, ())),
                            shown(s.name).advanced) for s in SETTINGS]  # fmt: skip

    @command("settings.set")
    def settings_set(self, name: str, value: SettingValue) -> SettingChanged:
        """Change one setting (validated against its table entry, and the model against the language)."""
        if name == "transcription.model" and isinstance(value, str):
            self.check_combination(value, self.services.settings.text("transcription.language"))
        if name == "transcription.language" and isinstance(value, str):
            self.check_combination(self.services.settings.text("transcription.model"), value)
        self.services.settings.set(name, value)
        return SettingChanged(name, self.services.settings.value(name))
