"""Which engine transcribes: whisper.cpp (a ggml file) or CTranslate2 (the model folder the ggml file was
built from), per the `transcription.engine` setting. The worker tells them apart by the path it is given."""

from __future__ import annotations

import importlib.util
import logging
from functools import cache
from pathlib import Path

from aiwisper.cpu import WHISPER_CPP_NEEDS, missing, require
from aiwisper.errors import InvalidArgumentError
from aiwisper.models.ct2_folder import ct2_folder_of
from aiwisper.models.registry import InstalledModel
from aiwisper.models.sources import SOURCES

log = logging.getLogger(__name__)


@cache
def ct2_installed() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None and importlib.util.find_spec("tokenizers") is not None


def ct2_folder(model: InstalledModel) -> Path | None:
    """The CTranslate2 folder beside a bundled model's ggml file (`ct2-tiny.en/`), if it was built."""
    for source in SOURCES:
        if model.record.source.startswith(f"{source.packages[0][0]}=="):
            folder = ct2_folder_of(source, model.path.parent)
            return folder if (folder / "model.bin").is_file() else None
    return None


def engine_path(model: InstalledModel, choice: str) -> Path:
    """What the worker loads for `model`: a CTranslate2 folder when chosen (or, on "auto", when there is one
    and CTranslate2 is installed: it is faster on a CPU, see bench/results), else the ggml file.

    whisper.cpp's build needs AVX2/FMA/F16C (aiwisper.cpu); CTranslate2 dispatches at run time and runs on any
    x86-64. On a CPU without them CTranslate2 takes over, even when whisper.cpp was chosen; with no CTranslate2
    either, the refusal names the missing instruction sets."""
    folder = ct2_folder(model) if ct2_installed() else None
    if choice == "whisper.cpp":
        lacking = missing(WHISPER_CPP_NEEDS)
        if folder is not None and lacking:
            log.warning("whisper.cpp cannot run on this CPU (no %s): CTranslate2 transcribes instead",
                        ", ".join(lacking))  # fmt: skip
            return folder
        require("whisper.cpp", WHISPER_CPP_NEEDS)
        return model.path
    if folder is not None:
        return folder
    if choice == "ctranslate2":
        why = "CTranslate2 is not installed" if not ct2_installed() else "its CTranslate2 folder is not built"
        raise InvalidArgumentError(f"model {model.name} cannot run on CTranslate2: {why} (engine: whisper.cpp)")
    require("whisper.cpp", WHISPER_CPP_NEEDS)
    return model.path
