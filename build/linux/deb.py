"""Builds dist/aiwisper_<version>_amd64.deb from the one-folder build (dist/aiwisper-dir), and
dist/aiwisper-notes-model_<version>_all.deb with the notes model (the GGUF file in models/), with dpkg-deb and
nothing from the network. The main package recommends the model's: apt installs both, and a user who wants no
local notes (or another model) can leave it out.

Depends: is computed, not guessed: every ELF file of the bundle is run through `ldd`; each library it finds
outside the bundle belongs to a package (`dpkg -S`), which is a dependency. What the program loads at run time
without the dynamic linker seeing it (GObject typelibs, GStreamer plugins, PortAudio through ctypes, `pactl`)
is listed in RUNTIME by file, and each file's package found the same way, so that a missing or renamed file fails
the build instead of the user's install.

    python build/linux/deb.py [dist]
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))
sys.path.insert(0, str(Path(__file__).parent))

from aiwisper import __version__  # noqa: E402

MULTIARCH = "/usr/lib/x86_64-linux-gnu"
# Loaded at run time, unseen by ldd: (file on a Debian system, why)
RUNTIME = [
    (f"{MULTIARCH}/girepository-1.0/WebKit2-4.1.typelib", "the window's web view"),
    (f"{MULTIARCH}/girepository-1.0/Gtk-3.0.typelib", "the window"),
    (f"{MULTIARCH}/girepository-1.0/Gst-1.0.typelib", "decoding imported files"),
    (f"{MULTIARCH}/girepository-1.0/GstPbutils-1.0.typelib", "decoding imported files"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstplayback.so", "decodebin/uridecodebin"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstaudioconvert.so", "decoding to 16 kHz mono"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstisomp4.so", "mp4/m4a files"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstmatroska.so", "mkv/webm files"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstflac.so", "flac files"),
    (f"{MULTIARCH}/gstreamer-1.0/libgstlibav.so", "aac, mp3, opus and video codecs"),
    (f"{MULTIARCH}/libportaudio.so.2", "audio capture (sounddevice)"),
    ("/usr/bin/pactl", "listing PulseAudio/PipeWire sources, system audio"),
    ("/usr/share/alsa/alsa.conf.d/50-pulseaudio.conf", "PortAudio's ALSA device reaching PulseAudio/PipeWire"),
]
# Alternatives a user's system may have instead (PipeWire desktops)
ALTERNATIVES = {"libasound2-plugins": "libasound2-plugins | pipewire-alsa"}
ICON_SIZES = (32, 48, 64, 128, 256)


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def package_of(path: str) -> str:
    """The installed package that owns `path` (following /lib → /usr/lib and symlinks)."""
    for candidate in dict.fromkeys([path, os.path.realpath(path), path.replace("/usr/lib/", "/lib/"),
                                    os.path.realpath(path).replace("/usr/lib/", "/lib/")]):  # fmt: skip
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0].strip()
    raise SystemExit(f"deb: no installed package owns {path}")


def elf_files(folder: Path) -> list[Path]:
    out = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def tidy(lib: Path) -> None:
    """Build paths out of RUNPATHs (Python's extension modules carry the build machine's lib folder), and debug
    symbols out of the libraries, except those a wheel vendored (`*.libs`: auditwheel already patched them with
    patchelf, and strip breaks such files: numpy's OpenBLAS stops loading)."""
    for elf in elf_files(lib):
        rpath = run("patchelf", "--print-rpath", str(elf)).strip()
        if rpath:
            keep = [p for p in rpath.split(":") if p.startswith("$ORIGIN")]
            if keep != rpath.split(":"):
                if keep:
                    run("patchelf", "--set-rpath", ":".join(keep), str(elf))
                else:
                    run("patchelf", "--remove-rpath", str(elf))
        if not any(part.endswith(".libs") for part in elf.relative_to(lib).parts):
            run("strip", "--strip-unneeded", "--remove-section=.comment", "--remove-section=.note", str(elf))


def depends(bundle: Path) -> dict[str, str]:
    """Package → why, for every library outside the bundle that one of the bundle's ELF files names (NEEDED)."""
    inside = {p.name for p in bundle.rglob("*")}
    needed: dict[str, str] = {}
    missing = set()
    for elf in elf_files(bundle):
        direct = set(re.findall(r"NEEDED\s+(\S+)", run("objdump", "-p", str(elf))))
        out = subprocess.run(["ldd", str(elf)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*(\S+) => (not found|\S+)", line)
            if not m or m.group(1) not in direct:
                continue
            name, where = m.groups()
            if where == "not found":
                if name not in inside:
                    missing.add(f"{name} (needed by {elf.relative_to(bundle)})")
            elif not where.startswith(str(bundle)) and name not in inside:
                needed.setdefault(package_of(where), f"{name}, by {elf.name}")
    if missing:
        raise SystemExit("deb: libraries found nowhere: " + ", ".join(sorted(missing)))
    for path, why in RUNTIME:
        if not os.path.exists(path):
            raise SystemExit(f"deb: {path} ({why}) is not on this system: install its package first")
        needed.setdefault(package_of(path), why)
    return needed


def depends_line(needed: dict[str, str]) -> str:
    libc = run("dpkg-query", "-W", "-f=${Version}", "libc6").split("-")[0]
    parts = []
    for pkg in sorted(needed):
        if pkg == "libc6":
            parts.append(f"libc6 (>= {libc})")
        else:
            parts.append(ALTERNATIVES.get(pkg, pkg))
    return ", ".join(parts)


def icons(target: Path) -> None:
    svg = ROOT / "build" / "icons" / "aiwisper.svg"
    hicolor = target / "usr/share/icons/hicolor"
    (hicolor / "scalable/apps").mkdir(parents=True)
    shutil.copy(svg, hicolor / "scalable/apps/aiwisper.svg")
    import gi

    gi.require_version("GdkPixbuf", "2.0")
    from gi.repository import GdkPixbuf

    for size in ICON_SIZES:
        folder = hicolor / f"{size}x{size}/apps"
        folder.mkdir(parents=True)
        GdkPixbuf.Pixbuf.new_from_file_at_size(str(svg), size, size).savev(str(folder / "aiwisper.png"), "png", [], [])


def gz(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write(data)


NOTES_MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def _finish(root: Path, control_text: str, out: Path, program: Path | None = None, compress: str = "xz") -> Path:
    """Regular modes, DEBIAN/control and md5sums, then dpkg-deb (`compress`: "gzip -z1" for what barely shrinks,
    as Debian requires the members compressed)."""
    for p in root.rglob("*"):  # regular modes: executables 755 (the program and its tools), the rest 644
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            executable = p == program or (p.stat().st_mode & 0o111 and ".so" not in p.name)
            p.chmod(0o755 if executable else 0o644)
    size_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(control_text.replace("@VERSION@", __version__).replace("@SIZE@", str(size_kb)))
    sums = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and "DEBIAN" not in p.parts:
            sums.append(f"{_md5(p)}  {p.relative_to(root)}")
    (control / "md5sums").write_text("\n".join(sums) + "\n")
    for name in ("control", "md5sums"):
        (control / name).chmod(0o644)
    out.unlink(missing_ok=True)
    method, *level = compress.split()
    build = ["dpkg-deb", "--root-owner-group", f"-Z{method}", *level, "--build", str(root), str(out)]
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")
    return out


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _docs(root: Path, package: str) -> None:
    doc = root / "usr/share/doc" / package
    doc.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "copyright", doc / "copyright")
    gz((Path(__file__).parent / "changelog").read_text().replace("@VERSION@", __version__)
       .replace("aiwisper (", f"{package} (").encode(), doc / "changelog.gz")  # fmt: skip


def build_notes_model(dist: Path, model: Path = NOTES_MODEL) -> Path:
    """aiwisper-notes-model_<version>_all.deb: the GGUF file in /usr/lib/aiwisper/models/, where the program
    looks beside itself."""
    if not model.is_file():
        raise SystemExit(f"deb: {model} is missing (run: aiwisper models build)")
    out = dist / f"aiwisper-notes-model_{__version__}_all.deb"
    with tempfile.TemporaryDirectory(prefix="aiwisper-deb-") as tmp:
        root = Path(tmp) / "root"
        models = root / "usr/lib/aiwisper/models"
        models.mkdir(parents=True)
        shutil.copyfile(model, models / model.name)
        _docs(root, "aiwisper-notes-model")
        # quantized weights do not compress (xz would take minutes on a 1.1 GB file to save ~3%)
        return _finish(root, (Path(__file__).parent / "control-notes-model").read_text(), out, compress="gzip -z1")


def build(dist: Path) -> Path:
    bundle = dist / "aiwisper-dir"
    if not (bundle / "aiwisper").is_file():
        raise SystemExit(f"deb: {bundle}/aiwisper is missing (build it first: build/package.sh)")
    from manpage import page

    out = dist / f"aiwisper_{__version__}_amd64.deb"
    with tempfile.TemporaryDirectory(prefix="aiwisper-deb-") as tmp:
        root = Path(tmp) / "root"
        lib = root / "usr/lib/aiwisper"
        # models/ beside the program holds the notes model (build/package.sh): that is the other package's
        shutil.copytree(bundle, lib, symlinks=True, ignore=lambda d, names: ["models"] if Path(d) == bundle else [])
        tidy(lib)
        needed = depends(lib)
        (root / "usr/bin").mkdir(parents=True)
        (root / "usr/bin/aiwisper").symlink_to("../lib/aiwisper/aiwisper")
        apps = root / "usr/share/applications"
        apps.mkdir(parents=True)
        shutil.copy(Path(__file__).parent / "aiwisper.desktop", apps / "aiwisper.desktop")
        icons(root)
        gz(page().encode(), root / "usr/share/man/man1/aiwisper.1.gz")
        _docs(root, "aiwisper")
        overrides = root / "usr/share/lintian/overrides"
        overrides.mkdir(parents=True)
        shutil.copy(Path(__file__).parent / "lintian-overrides", overrides / "aiwisper")
        control = (Path(__file__).parent / "control").read_text().replace("@DEPENDS@", depends_line(needed))
        _finish(root, control, out, program=lib / "aiwisper")
    print("Depends: " + depends_line(needed))
    for pkg, why in sorted(needed.items()):
        print(f"  {pkg}: {why}")
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    build(target)
    build_notes_model(target)
