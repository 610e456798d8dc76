"""Start-up and size: exec → UI ready in the desktop window, for the source install, one-dir and one-file.

"Ready" is when the page, inside the real pywebview GTK window under Xvfb,
has called `app.info` through the JS bridge and the answer came back (the
desktop self-test prints it). Each mode runs `AIWISPER_BENCH_RUNS` times
(default 5), alternating; medians. Each mode keeps its own HOME across its
runs (a user's second start); the first start is in the sample too. The
builds come from `build/package.sh` (run first when `dist/` lacks them).
The peer is the source install's start-up; whisper-cli's start (exec → the
model loaded and a 0.1 s silent file done, native) is printed beside it for scale.
The notes model is not inside the builds (build/package.sh puts it beside them).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("AIWISPER_BENCH_RUNS", "5"))
ONEFILE = ROOT / "dist" / "aiwisper"
ONEDIR = ROOT / "dist" / "aiwisper-dir" / "aiwisper"


@contextmanager
def xvfb(name: str = ":96") -> Iterator[str]:
    proc = subprocess.Popen(["Xvfb", name, "-screen", "0", "1280x860x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        socket = Path("/tmp/.X11-unix") / f"X{name[1:]}"
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield name
    finally:
        proc.terminate()
        proc.wait(10)


def ready_seconds(argv: list[str], home: Path, display: str) -> float:
    """Exec → the bridge's first answer in the window."""
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "XDG_RUNTIME_DIR": str(home / "run"),
           "DISPLAY": display, "AIWISPER_SELFTEST": "none"}  # fmt: skip
    t = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    ready = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("selftest: bridge ") and '"result"' in line:
            ready = time.monotonic() - t
            break
    try:
        code = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not exit after its window closed") from None
    if code != 0 or ready is None:
        raise RuntimeError(f"{argv[0]} did not reach ready (exit {code})")
    return ready


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    beside = path / "models"  # the notes model, beside the program, is not part of it
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and beside not in p.parents) / 1e6


def whisper_cli_start(runs: int) -> float:
    """Median seconds for native whisper-cli to load tiny.en-q8_0 and finish 0.1 s of silence."""
    import wave

    from bench.whisper_cli import build

    cli = build()
    times = []
    with tempfile.TemporaryDirectory(prefix="aiwisper-cli-") as tmp:
        silent = Path(tmp) / "silence.wav"
        with wave.open(str(silent), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(b"\0" * 3200)
        model = ROOT / "models" / "ggml-tiny.en-q8_0.bin"
        for _ in range(runs):
            t = time.monotonic()
            subprocess.run([str(cli), "-m", str(model), "-f", str(silent), "-t", "2", "-np"], check=True,
                           capture_output=True)  # fmt: skip
            times.append(time.monotonic() - t)
    return statistics.median(times)


def run() -> list[dict[str, Any]]:
    if not (ONEFILE.exists() and ONEDIR.exists()):
        subprocess.run(["bash", str(ROOT / "build" / "package.sh")], check=True, cwd=ROOT)
    source = shutil.which("aiwisper", path=str(Path(sys.executable).parent))
    assert source is not None
    modes = {"source install": [source], "one-dir": [str(ONEDIR)], "one-file": [str(ONEFILE)]}
    times: dict[str, list[float]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory(prefix="aiwisper-start-") as tmp, xvfb() as display:
        for i in range(RUNS):
            for mode, argv in modes.items():
                times[mode].append(ready_seconds(argv, Path(tmp) / mode.replace(" ", "-"), display))
                print(f"  run {i + 1}/{RUNS} {mode:15} ready in {times[mode][-1]:.2f} s", flush=True)
    src = statistics.median(times["source install"])
    cli = whisper_cli_start(RUNS)
    out = []
    for mode, goal in (("one-file", 2.0), ("one-dir", 1.5)):
        med = statistics.median(times[mode])
        first = f" (first start, unpacking: {times[mode][0]:.1f} s)" if mode == "one-file" else ""
        out.append({
            "name": f"start-up, {mode}: exec → UI ready (window, Xvfb)",
            "ours": f"{med:.2f} s{first}",
            "peer": f"source install {src:.2f} s (whisper-cli, exec → model loaded, 0.1 s done: {cli:.2f} s)",
            "ratio": f"{med / src:.2f}",
            "goal": f"≤ {goal} s", "met": med <= goal, "raw": {mode: times[mode], "source": times["source install"]},
        })  # fmt: skip
    size = _size_mb(ONEFILE)
    out.append({
        "name": "size of the one-file binary (Whisper tiny.en-q5_1, VAD, speaker and search models inside; the notes "
                "model beside it)",
        "ours": f"{size:.1f} MB", "peer": f"one-dir {_size_mb(ONEDIR.parent):.1f} MB",
        "ratio": f"{size / _size_mb(ONEDIR.parent):.2f}", "goal": "≤ 150 MB", "met": size <= 150,
    })  # fmt: skip
    return out


if __name__ == "__main__":
    from bench.common import save

    save(run())
