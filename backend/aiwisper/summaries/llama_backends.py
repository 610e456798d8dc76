"""llama.cpp's CPU code, chosen at run time for the CPU the process runs on.

The wheel is built by build/llama-wheel.sh with ggml's CPU backend as loadable variants (libggml-cpu-x64.so,
-sse42, -sandybridge, -haswell, -skylakex), each compiled for one instruction-set level. ggml scores every variant
against the CPU (cpuid) and loads the best one that runs; the x64 variant runs on any x86-64 CPU. Nothing is
loaded until this is called: llama.cpp then has no backend, and refuses to load a model.
"""

from __future__ import annotations

import ctypes
import logging
import re
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)


class LlamaBackendError(Exception):
    """llama.cpp has no CPU backend that this CPU can run."""


def lib_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).parent / "lib"


@cache
def load() -> str:
    """Loads the best CPU variant (once per process) and returns its name ("haswell"; "" for a single build)."""
    folder = lib_dir().resolve()
    ggml = ctypes.CDLL(str(_loaded_ggml(folder) or folder / "libggml.so.0"))
    if hasattr(ggml, "ggml_backend_load_all_from_path"):
        ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
        ggml.ggml_backend_load_all_from_path(str(folder).encode())
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    if ggml.ggml_backend_reg_count() == 0:
        raise LlamaBackendError(f"llama.cpp found no CPU backend for this CPU in {folder}")
    name = variant(folder)
    log.info("llama.cpp CPU backend: %s", name or "built in")
    return name


def _maps() -> str:
    try:
        return Path("/proc/self/maps").read_text()
    except OSError:
        return ""


def _loaded_ggml(folder: Path) -> Path | None:
    """The file libllama.so loaded as libggml: the registry of backends lives in that copy (a wheel holds
    libggml.so, .so.0 and .so.0.x as three files, and loading another would make a second, empty registry)."""
    found = re.search(rf"({re.escape(str(folder))}/libggml\.so[.\d]*)$", _maps(), flags=re.M)
    return Path(found.group(1)) if found else None


def variant(folder: Path) -> str:
    """The CPU variant this process has mapped from `folder`, from /proc/self/maps ("" when there is none to
    see). Only llama.cpp's own: whisper.cpp's wheel brings a ggml of its own (libggml-cpu-<hash>.so)."""
    found = re.search(rf"{re.escape(str(folder))}/libggml-cpu-(\w+)\.so", _maps())
    return found.group(1) if found else ""
