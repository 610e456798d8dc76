"""What commands return beyond the services' own types: one small dataclass each, generated for the UI."""

from __future__ import annotations

from dataclasses import dataclass

from aiwisper.documents.library import DocumentInfo

SettingValue = bool | int | float | str


@dataclass(frozen=True)
class AppInfo:
    """Version, data folder, default model, what the user should fix, and the log file to attach to a report."""

    version: str
    data_dir: str
    model: str | None
    warnings: list[str]
    recording: str | None
    log_file: str


@dataclass(frozen=True)
class DocumentAdded:
    """One file given to documents.add: its document, or why it could not be added."""

    path: str
    document: DocumentInfo | None
    error: str | None


@dataclass(frozen=True)
class Watching:
    """The microphone whose level is published now (None: none)."""

    device: str | None


@dataclass(frozen=True)
class Deleted:
    """The id of what was deleted."""

    deleted: str


@dataclass(frozen=True)
class ExportedFile:
    """A transcript as a file: `text` for the text formats, `base64` for docx."""

    name: str
    mime: str
    text: str | None = None
    base64: str | None = None


@dataclass(frozen=True)
class SavedFile:
    """Where a file was saved; null when the user cancelled the dialog."""

    path: str | None


@dataclass(frozen=True)
class ModelInfo:
    """An installed model: `languages` is "en" or "multilingual"."""

    name: str
    file: str
    bytes: int
    sha256: str
    languages: str
    weight_type: str
    source: str
    path: str
    default: bool


@dataclass(frozen=True)
class DefaultModel:
    """The default model now (empty: chosen by machine and language)."""

    default: str


@dataclass(frozen=True)
class SettingInfo:
    """A setting with its value, default, help and bounds, and how the settings page shows it: its group, label in
    words, unit, the values it can take (empty: any) and whether it is an advanced detail."""

    name: str
    value: SettingValue
    default: SettingValue
    help: str
    minimum: float | None
    maximum: float | None
    group: str
    label: str
    unit: str
    choices: list[str]
    advanced: bool


@dataclass(frozen=True)
class SettingChanged:
    """A setting's value after a change."""

    name: str
    value: SettingValue
