"""Builds the one-file binary: build/launcher.py frozen by PyInstaller (standard library only), with the one-folder
build (dist/aiwisper-dir, without the notes model beside it) inside as a zip, just before PyInstaller's archive
(the section offsets moved to match). See build/launcher.py.

    python build/onefile.py ONEDIR_FOLDER OUTPUT_FILE [WORK_FOLDER]
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[1]
# The launcher needs none of these; PyInstaller would otherwise follow the standard library's optional imports.
EXCLUDES = ["tkinter", "unittest", "pydoc", "doctest", "email", "http", "xml", "sqlite3", "asyncio", "multiprocessing",
            "ssl", "ctypes", "lzma", "bz2", "decimal", "json", "logging", "argparse", "pickle", "csv"]  # fmt: skip


def launcher(out: Path, work: Path) -> None:
    excludes = [arg for name in EXCLUDES for arg in ("--exclude-module", name)]
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR", "--onefile",
                    "--name", out.name, "--distpath", str(out.parent), "--workpath", str(work), "--specpath",
                    str(work), *excludes, str(ROOT / "build" / "launcher.py")], check=True, cwd=ROOT)  # fmt: skip


def insert(binary: Path, payload: BinaryIO, size: int) -> None:
    """`payload` into the ELF file just before its pydata section; the sections after it (pydata) and the section
    header table move by `size`. No loaded segment reaches that far: the program itself does not move."""
    sys.path.insert(0, str(Path(__file__).parent))
    from launcher import pydata_offset

    with binary.open("rb") as f:
        start = pydata_offset(f)
        f.seek(0)
        data = bytearray(f.read())
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    for i in range(phnum):
        offset, filesz = struct.unpack_from("<Q16xQ", data, phoff + i * phentsize + 8)
        assert offset + filesz <= start, "a loaded segment reaches past the archive: cannot insert"
    struct.pack_into("<Q", data, 0x28, shoff + size)
    for i in range(shnum):
        at = shoff + i * shentsize + 0x18
        offset = struct.unpack_from("<Q", data, at)[0]
        if offset >= start:
            struct.pack_into("<Q", data, at, offset + size)
    with binary.open("wb") as out:
        out.write(data[:start])
        shutil.copyfileobj(payload, out, 1 << 20)
        out.write(data[start:])


def append(folder: Path, binary: Path) -> None:
    """The folder as a zip inside the launcher (deflated; symlinks and modes in the entries' attributes)."""
    with tempfile.TemporaryFile() as packed:
        with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder)
                if rel.parts[0] == "models":  # the notes model beside the one-folder build is not the program
                    continue
                if path.is_symlink():
                    info = zipfile.ZipInfo(str(rel))
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    z.writestr(info, os.readlink(path))
                elif path.is_file():
                    z.write(path, str(rel))
        size = packed.tell()
        packed.seek(0)
        insert(binary, packed, size)


def build(folder: Path, binary: Path, work: Path) -> None:
    if not (folder / "aiwisper").is_file():
        raise SystemExit(f"onefile: {folder}/aiwisper is missing (build the one-folder build first)")
    launcher(binary, work)
    append(folder, binary)
    print(f"{binary}: {binary.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    work = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "build" / "work" / "launcher"
    build(Path(sys.argv[1]), Path(sys.argv[2]), work)
