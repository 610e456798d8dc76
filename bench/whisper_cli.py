"""whisper.cpp's own `whisper-cli`, built natively from the sources inside the pywhispercpp sdist.

The sdist of the same pywhispercpp version we run carries the whisper.cpp tree
it wraps, so the peer is the same C++ code, compiled for this CPU
(`-DGGML_NATIVE=ON`, Release). It is built once into a cache folder outside
the repository (`$AIWISPER_BENCH_CACHE`, default `/tmp/aiwisper-bench`) and
never committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

CACHE = Path(os.environ.get("AIWISPER_BENCH_CACHE", "/tmp/aiwisper-bench"))


def _clean_env() -> dict[str, str]:
    # pywhispercpp's own build passes the environment to CMake; keep ours minimal too.
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}


def build() -> Path:
    """Return the path of a native whisper-cli, building it if it is not cached."""
    ver = version("pywhispercpp")
    root = CACHE / f"pywhispercpp-{ver}"
    cli = root / "build" / "bin" / "whisper-cli"
    if cli.exists():
        return cli
    if not (shutil.which("cmake") and shutil.which("c++")):
        raise RuntimeError("cmake and a C++ compiler are needed for the whisper-cli peer (apt-get install cmake g++)")
    CACHE.mkdir(parents=True, exist_ok=True)
    dl = CACHE / "sdist"
    dl.mkdir(exist_ok=True)
    subprocess.run(
        # Not ":all:": pip would then build the sdist's build dependencies (cmake) from source too.
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            "pywhispercpp",
            "-d",
            str(dl),
            f"pywhispercpp=={ver}",
        ],
        check=True,
    )
    tar = next(dl.glob(f"pywhispercpp-{ver}.tar.gz"))
    src = CACHE / "src"
    shutil.rmtree(src, ignore_errors=True)
    with tarfile.open(tar) as t:
        t.extractall(src, filter="data")
    tree = next(p.parent for p in src.glob("*/whisper.cpp/CMakeLists.txt"))
    shutil.rmtree(root, ignore_errors=True)
    shutil.move(str(tree), root)
    shutil.rmtree(src)
    env = _clean_env()
    subprocess.run(
        [
            "cmake",
            "-S",
            str(root),
            "-B",
            str(root / "build"),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DGGML_NATIVE=ON",
            "-DWHISPER_BUILD_TESTS=OFF",
            "-DWHISPER_BUILD_EXAMPLES=ON",
            "-DBUILD_SHARED_LIBS=OFF",
        ],
        check=True,
        env=env,
    )
    subprocess.run(
        [
            "cmake",
            "--build",
            str(root / "build"),
            "--config",
            "Release",
            "-j",
            str(os.cpu_count() or 2),
            "--target",
            "whisper-cli",
        ],
        check=True,
        env=env,
    )
    if not cli.exists():
        raise RuntimeError(f"build finished without {cli}")
    return cli


if __name__ == "__main__":
    print(build())
