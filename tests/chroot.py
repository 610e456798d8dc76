"""A clean Debian bookworm root for installing the .deb as a user's system would: debootstrap (minbase) once into
a cache, copied for each test, with /proc, /sys, /dev and the X server's socket mounted in, apt's downloads kept
in the cache too. Mounts are undone, and verified gone, before the copy is deleted."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("AIWISPER_CHROOT_CACHE", "/var/cache/aiwisper-tests"))
SUITE = "bookworm"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


Done = subprocess.CompletedProcess[str]


class Unavailable(Exception):
    """The chroot cannot be built on this machine (the reason is the message)."""


def mirror() -> str:
    """The Debian mirror this machine's apt already uses."""
    for source in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        text = source.read_text() if source.is_file() else ""
        m = re.search(r"^(?:URIs:|deb)\s+(?:\[[^]]*\]\s+)?(https?://\S+/debian)\s*$", text, re.M)
        if m:
            return m.group(1)
    return "http://deb.debian.org/debian"


def base_root() -> Path:
    """The cached minimal root, made by debootstrap the first time (about a minute)."""
    if os.geteuid() != 0:
        raise Unavailable("needs root (debootstrap, chroot and mount)")
    if shutil.which("debootstrap") is None:
        raise Unavailable("debootstrap is not installed (make setup installs it)")
    base = CACHE / f"{SUITE}-minbase"
    if (base / "usr/bin/apt-get").is_file():
        return base
    part = CACHE / f"{SUITE}-minbase.part"
    shutil.rmtree(part, ignore_errors=True)
    part.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(part), mirror()], capture_output=True,
                          text=True, timeout=1800)  # fmt: skip
    if done.returncode != 0:
        raise Unavailable(f"debootstrap failed: {(done.stdout + done.stderr)[-800:]}")
    part.rename(base)
    return base


class Chroot:
    """A copy of the base root with the mounts a desktop program needs; `close()` undoes them and deletes it."""

    def __init__(self, folder: Path, x11: bool = True) -> None:
        self.root = folder / "root"
        subprocess.run(["cp", "-a", str(base_root()), str(self.root)], check=True, timeout=600)
        shutil.copy("/etc/resolv.conf", self.root / "etc/resolv.conf")
        archives = CACHE / "apt-archives"
        (archives / "partial").mkdir(parents=True, exist_ok=True)
        binds = [("/dev", "dev"), ("/dev/pts", "dev/pts"), ("/sys", "sys"), (str(archives), "var/cache/apt/archives")]
        if x11 and Path("/tmp/.X11-unix").is_dir():
            binds.append(("/tmp/.X11-unix", "tmp/.X11-unix"))
        self.mounts: list[Path] = []
        try:
            self._mount(["-t", "proc", "proc"], self.root / "proc")
            for source, target in binds:
                self._mount(["--bind", source], self.root / target)
        except subprocess.CalledProcessError as e:
            self.close()
            raise Unavailable(f"mount failed: {e.stderr}") from e

    def _mount(self, how: list[str], target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *how, str(target)], check=True, capture_output=True, text=True)
        self.mounts.append(target)

    def run(self, *cmd: str, env: dict[str, str] | None = None, timeout: float = 900) -> Done:
        """`cmd` inside the root, with a clean environment plus `env`."""
        full = {"PATH": PATH, "LANG": "C.UTF-8", **(env or {})}
        args = ["chroot", str(self.root), "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in full.items()], *cmd]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout)

    def close(self) -> None:
        """Unmount (in reverse order) and delete the copy; never deletes while anything is still mounted in it."""
        for target in reversed(self.mounts):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(target)], capture_output=True)
        self.mounts = []
        if not self.root.exists():
            return
        mounted = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        inside = [m for m in mounted if m == str(self.root) or m.startswith(f"{self.root}/")]
        if inside:
            raise RuntimeError(f"still mounted, not deleting {self.root}: {inside}")
        shutil.rmtree(self.root, ignore_errors=True)
