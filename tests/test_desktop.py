"""The native window (pywebview, GTK) under Xvfb: ready through the bridge, screenshot, clean exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SHOTS = Path(__file__).resolve().parent / "output" / "screenshots"


def _env(tmp_path: Path, display: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["AIWISPER_DATA_DIR"] = str(tmp_path / "data")
    if display:
        env["DISPLAY"] = display
    return env


def test_window_reports_ready_through_the_bridge(display: str, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "desktop-window.png"
    shot.unlink(missing_ok=True)
    env = {**_env(tmp_path, display), "AIWISPER_SELFTEST": str(shot)}
    out = subprocess.run([sys.executable, "-m", "aiwisper"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("selftest: bridge "))
    assert '"result"' in line and '"version"' in line and str(tmp_path / "data") in line
    assert shot.is_file() and shot.stat().st_size > 10_000  # a painted window, not an empty screen


def test_sigterm_closes_the_window_and_exits_cleanly(display: str, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "aiwisper"], env=_env(tmp_path, display),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(6)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert (tmp_path / "data" / "aiwisper.db").is_file()


def test_without_a_display_it_says_to_use_serve(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "aiwisper"], env=_env(tmp_path, None), capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert out.returncode == 2 and "aiwisper serve" in out.stderr
