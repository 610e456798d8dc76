"""Where things live: bundled resources, the data folder, the models folder. Resolved here only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "aiwisper"


def is_frozen() -> bool:
    """True inside a PyInstaller build."""
    return bool(getattr(sys, "frozen", False))


def program_path() -> Path:
    """The program the user started: the one-file binary (its launcher exec'd the unpacked app and says where it
    is, build/launcher.c), else this executable."""
    launcher = os.environ.get("AIWISPER_BINARY")
    return Path(launcher) if launcher else Path(sys.executable).resolve()


def resource_dir() -> Path:
    """Read-only resources: the PyInstaller unpack folder, or the source checkout."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[2]


def data_dir(override: Path | None = None) -> Path:
    """The user's data folder: `--data-dir`, else `AIWISPER_DATA_DIR`, else the platform's."""
    if override is not None:
        return override
    env = os.environ.get("AIWISPER_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    """The models folder the app writes to: `AIWISPER_MODELS_DIR`, the checkout's `models/`,
    or, in a frozen build, `models/` in the data folder."""
    env = os.environ.get("AIWISPER_MODELS_DIR")
    if env:
        return Path(env)
    if is_frozen():
        return data_dir() / "models"
    return resource_dir() / "models"


def model_search_dirs() -> list[Path]:
    """Folders searched for models, first match wins: the writable one, beside the binary, bundled."""
    dirs = [models_dir()]
    if is_frozen():
        dirs += [program_path().parent / "models", resource_dir() / "models"]
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique
