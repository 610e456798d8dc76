"""The native window (pywebview, GTK) under Xvfb: ready through the bridge, screenshot, clean exits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .speech import JFK_WAV

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


def _dialog_window(env: dict[str, str], app: subprocess.Popen[str]) -> str:
    """The id of the file dialog once it is shown. xdotool's own `search --sync` can give up with nothing when a
    window goes away while it walks the window tree (a CI run failed so): ask again until the dialog is there,
    the app has exited (its errors are the failure), or a minute has passed."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^(Open|Save)"], env=env,
                               capture_output=True, text=True, timeout=30)  # fmt: skip
        if found.stdout.split():
            return found.stdout.split()[0]
        if app.poll() is not None:
            raise AssertionError(f"the app exited ({app.returncode}) before its dialog opened: "
                                 f"{app.stderr.read()[-2000:] if app.stderr else ''}")  # fmt: skip
        time.sleep(0.2)
    raise AssertionError("no file dialog opened within 60 s")


def _answer_dialog(display: str, app: subprocess.Popen[str], path: Path, select_all: bool = False) -> None:
    """Type `path` into the GTK file dialog that opens over the window, as a user would, and confirm."""
    env = {**os.environ, "DISPLAY": display}
    wid = _dialog_window(env, app)
    time.sleep(0.5)  # the dialog is drawn
    # No window manager under Xvfb: give the dialog the focus, then type through XTEST like a keyboard.
    subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=env, check=True, timeout=10)
    for args in (["key", "ctrl+a" if select_all else "ctrl+l"], ["type", "--delay", "5", str(path)], ["key", "Return"]):
        subprocess.run(["xdotool", *args], env=env, check=True, timeout=30)
        time.sleep(0.3)


def _call_from_page(display: str, tmp_path: Path, command: str, params: dict[str, object], answer: Path,
                    select_all: bool = False) -> object:  # fmt: skip
    call = json.dumps({"command": command, "params": params})
    env = {**_env(tmp_path, display), "AIWISPER_SELFTEST": "none", "AIWISPER_SELFTEST_CALL": call}
    proc = subprocess.Popen([sys.executable, "-m", "aiwisper"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        _answer_dialog(display, proc, answer, select_all)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-2000:]
    line = next(x for x in out.splitlines() if x.startswith("selftest: call "))
    reply = json.loads(line.removeprefix("selftest: call "))
    assert "result" in reply, reply
    return reply["result"]


def test_native_dialogs_import_a_chosen_file_and_save_an_export(display: str, tmp_path: Path) -> None:
    jobs = _call_from_page(display, tmp_path, "dialog.import_files", {}, JFK_WAV)
    assert isinstance(jobs, list) and [j["title"] for j in jobs] == ["jfk.wav"], jobs
    # The import goes on in the next start; a transcript to export:
    subprocess.run([sys.executable, "-m", "aiwisper", "transcribe", str(JFK_WAV), "--data-dir", str(tmp_path / "data")],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    listed = subprocess.run([sys.executable, "-m", "aiwisper", "sessions", "--data-dir", str(tmp_path / "data")],
                            check=True, capture_output=True, text=True, timeout=60).stdout  # fmt: skip
    session_id = next(line.split()[0] for line in listed.splitlines() if line.split()[1] == "done")
    target = tmp_path / "chosen" / "kennedy.srt"
    target.parent.mkdir()
    saved = _call_from_page(display, tmp_path, "dialog.save_export", {"session_id": session_id, "format": "srt"},
                            target, select_all=True)  # fmt: skip
    assert saved == {"path": str(target)}
    text = target.read_text(encoding="utf-8")
    assert text.startswith("1\n00:00:0") and "ask not what your country can do for you" in text.lower()
    assert not list(target.parent.glob(".*.part"))
