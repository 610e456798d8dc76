"""What the CPU this process runs on can do, and what each native part needs of it.

The features are read with cpuid by numpy's run-time dispatcher (with the OS's consent for the wide registers,
xgetbv), so they are the CPU the process really runs on, an emulated one included (`qemu-x86_64 -cpu Nehalem`),
not what /proc/cpuinfo says of the host. Parts that dispatch at run time need nothing here; a part built for
one instruction-set level is refused below it with a message that names what is missing, never left to crash.
"""

from __future__ import annotations

import platform
from functools import cache

from aiwisper.errors import AiwisperError

# The pywhispercpp 1.5.1 wheel is compiled for Haswell's level (-mavx -mavx2 -mfma -mf16c), with no dispatch.
WHISPER_CPP_NEEDS = ("AVX", "AVX2", "FMA3", "F16C")


class CpuUnsupportedError(AiwisperError):
    """A native part cannot run on this CPU (an instruction set it was built for is missing)."""

    code = "unavailable"


@cache
def features() -> frozenset[str]:
    """The instruction sets this CPU offers, by numpy's names (SSE42, AVX, AVX2, FMA3, F16C, AVX512F, ...)."""
    import importlib

    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # numpy 1.x
        umath = importlib.import_module("numpy.core._multiarray_umath")
    table: dict[str, bool] = umath.__cpu_features__
    return frozenset(name for name, present in table.items() if present)


def missing(needs: tuple[str, ...]) -> list[str]:
    """The instruction sets of `needs` this CPU lacks (none on a CPU that is not x86: the needs are x86's)."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "i386"):
        return []
    have = features()
    return [need for need in needs if need not in have]


def require(part: str, needs: tuple[str, ...]) -> None:
    """Raises CpuUnsupportedError naming what `part` needs and this CPU has not."""
    lacking = missing(needs)
    if lacking:
        raise CpuUnsupportedError(
            f"{part} needs a CPU with {', '.join(_plain(n) for n in lacking)}, which this one does not have"
        )


def _plain(name: str) -> str:
    return {"FMA3": "FMA", "SSE42": "SSE4.2"}.get(name, name)
