"""The one-file binary's launcher: the one-folder build is a zip (LZMA) inside this small program; it is unpacked once
into the user's cache folder and run from there (exec) at every start.

A PyInstaller one-file binary unpacks its whole archive (the app's 150 MB of code and 150 MB of models) into a
temporary folder at every start, and deletes it at exit: 2-3 s of every start. This launcher carries only Python's
standard library, so its own unpacking is small; the app it runs is an ordinary one-folder build, unpacked once
under a key of its content (names, sizes, CRC-32s, checked while unpacked). Symlinks and file modes are kept.
AIWISPER_BINARY tells the app where the binary itself is (the notes model is looked for beside it).

Where the zip is: just before PyInstaller's own archive (the ELF section "pydata"), not after it: PyInstaller's
bootloader finds its archive by reading the file backwards from the end, and would read all 200 MB first
(1.4 s at every start). build/onefile.py inserts it there and moves the section.

Standard library only: this runs before anything else of the app exists.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import struct
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO

PROGRAM = "aiwisper"


def pydata_offset(f: BinaryIO) -> int:
    """Where PyInstaller's archive (the ELF64 section "pydata") starts in this file."""
    f.seek(0)
    head = f.read(64)
    if head[:6] != b"\x7fELF\x02\x01":
        raise zipfile.BadZipFile("not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", head, 0x28)[0]
    entsize, count, names = struct.unpack_from("<HHH", head, 0x3A)
    f.seek(shoff)
    table = f.read(entsize * count)
    headers = [struct.unpack_from("<IIQQQQ", table, i * entsize) for i in range(count)]
    f.seek(headers[names][4])
    strings = f.read(headers[names][5])
    for name, _, _, _, offset, _ in headers:
        if strings[name : strings.index(b"\0", name)] == b"pydata":
            return int(offset)
    raise zipfile.BadZipFile("no pydata section")


class Window(io.RawIOBase):
    """The file's bytes up to `end`, as a file of their own (zipfile finds a zip's directory at the end)."""

    def __init__(self, f: BinaryIO, end: int) -> None:
        self.f, self.end, self.pos = f, end, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else self.end + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self.f.seek(self.pos)
        data = self.f.read(max(0, min(len(buffer), self.end - self.pos)))
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aiwisper"


def unpack(z: zipfile.ZipFile, into: Path) -> None:
    for info in z.infolist():
        mode = info.external_attr >> 16
        target = into / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_ISLNK(mode):
            os.symlink(z.read(info).decode(), target)
            continue
        with z.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(target, stat.S_IMODE(mode) or 0o644)


def app_folder(binary: Path) -> Path:
    """The unpacked one-folder build for this binary, unpacked now if it is not there yet."""
    with binary.open("rb") as f, zipfile.ZipFile(Window(f, pydata_offset(f))) as z:
        members = z.infolist()
        key = hashlib.sha256(repr([(m.filename, m.file_size, m.CRC) for m in members]).encode()).hexdigest()[:16]
        target = cache_root() / f"app-{key}"
        if (target / PROGRAM).is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".app-", dir=target.parent))
        try:
            unpack(z, work)
            work.rename(target)  # the whole folder appears at once: a cut-off unpack is never taken for one
        except OSError:
            if not (target / PROGRAM).is_file():  # another start won the race: fine
                raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def main() -> None:
    binary = Path(sys.executable).resolve()
    try:
        folder = app_folder(binary)
    except (OSError, zipfile.BadZipFile) as e:
        sys.exit(f"aiwisper: cannot unpack the program into {cache_root()}: {e}")
    program = folder / PROGRAM
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_PYI_", "_MEIPASS"))}  # not a child of ours
    env.pop("LD_LIBRARY_PATH", None)  # the launcher's own unpack folder: the app finds its libraries itself
    if "LD_LIBRARY_PATH_ORIG" in env:
        env["LD_LIBRARY_PATH"] = env.pop("LD_LIBRARY_PATH_ORIG")
    env["AIWISPER_BINARY"] = str(binary)
    os.execve(program, [str(program), *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
