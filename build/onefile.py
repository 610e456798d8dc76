"""Builds the one-file binary: build/launcher.c compiled (liblzma linked in), then the one-folder build
(dist/aiwisper-dir, without the notes model beside it) appended as one xz stream, then a trailer with where the
stream starts and its key. See build/launcher.c for the layout.

    python build/onefile.py ONEDIR_FOLDER OUTPUT_FILE [WORK_FOLDER]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[1]
MAGIC = b"AIWPACK1"
# One stream for the whole folder, xz's preset 9 (a 64 MB dictionary): 146 MB against 151 MB as a zip of LZMA
# members and 201 MB of deflate's best. 4-5 min on 2 cores: the tests build with a faster preset
# (AIWISPER_XZ_PRESET=1), which changes the size only.
PRESET = os.environ.get("AIWISPER_XZ_PRESET", "9")
XZ = ["xz", "--format=xz", "--check=crc64", f"-{PRESET}", "--threads=2", "--stdout"]


def launcher(out: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cc", "-O2", "-s", "-Wall", "-Wextra", "-Werror", "-o", str(out.resolve()),
                    str(ROOT / "build" / "launcher.c"), "-Wl,-Bstatic", "-llzma", "-Wl,-Bdynamic"],
                   check=True, cwd=work)  # fmt: skip


def _header(kind: bytes, mode: int, name: bytes, size: int) -> bytes:
    return kind + struct.pack("<II", mode, len(name)) + name + struct.pack("<Q", size)


def _records(folder: Path) -> Iterator[tuple[bytes, Path | bytes]]:
    """(header, data) per entry: folders before what is in them, the models/ beside the build left out."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] == "models":  # the notes model beside the one-folder build is not the program
            continue
        name = str(rel).encode()
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            target = os.readlink(path).encode()
            yield _header(b"L", mode, name, len(target)), target
        elif path.is_dir():
            yield _header(b"D", mode, name, 0), b""
        elif path.is_file():
            yield _header(b"F", mode, name, path.stat().st_size), path


def pack(folder: Path, out: BinaryIO) -> None:
    """The folder's records, then the end record, through xz into `out`."""
    xz = subprocess.Popen(XZ, stdin=subprocess.PIPE, stdout=out)
    assert xz.stdin is not None
    try:
        for header, data in _records(folder):
            xz.stdin.write(header)
            if isinstance(data, Path):
                with data.open("rb") as f:
                    shutil.copyfileobj(f, xz.stdin, 1 << 20)
            else:
                xz.stdin.write(data)
        xz.stdin.write(b"E")
    finally:
        xz.stdin.close()
        if xz.wait() != 0:
            raise SystemExit(f"onefile: xz failed ({xz.returncode})")


def append(folder: Path, binary: Path) -> None:
    """The packed folder after the launcher, hashed as it is copied; the trailer names its start and key."""
    with tempfile.TemporaryFile() as packed:
        pack(folder, packed)
        packed.seek(0)
        digest = hashlib.sha256()
        with binary.open("ab") as out:
            offset = out.tell()
            for block in iter(lambda: packed.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
            key = digest.hexdigest()[:16].encode().ljust(24, b"\0")
            out.write(struct.pack("<Q", offset) + key + MAGIC)


def build(folder: Path, binary: Path, work: Path) -> None:
    if not (folder / "aiwisper").is_file():
        raise SystemExit(f"onefile: {folder}/aiwisper is missing (build the one-folder build first)")
    launcher(binary, work)
    append(folder, binary)
    print(f"{binary}: {binary.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    work = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "build" / "work" / "launcher"
    build(Path(sys.argv[1]), Path(sys.argv[2]), work)
