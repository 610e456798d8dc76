"""The desktop window: pywebview showing the UI from our own in-process server.

The window gets the full `http://127.0.0.1:PORT/?token=…` URL (pywebview must not
serve the app itself: flask-sock needs our werkzeug server) and the registry as
its `js_api`. Size and position are remembered; the title shows the recording
state; closing while recording asks first; SIGINT/SIGTERM close the window from
a thread, and the recording is finalized before the process exits 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Literal

from aiwisper.api.bridge import make_js_api
from aiwisper.api.dialogs import MEDIA_TYPES
from aiwisper.api.server import LocalServer
from aiwisper.events import Event, SessionStarted, SessionStopped
from aiwisper.services import Services

TITLE = "AIWisper"


def _load_geometry(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text())
        return {k: int(data[k]) for k in ("width", "height", "x", "y") if k in data}
    except (OSError, ValueError, TypeError):
        return {}


class WindowDialogs:
    """The system's file dialogs, opened over the window (pywebview runs them on the GUI thread)."""

    def __init__(self, window: Any) -> None:
        self.window = window

    def open_files(self, file_types: tuple[str, ...] = MEDIA_TYPES) -> list[str]:
        import webview

        chosen = self.window.create_file_dialog(webview.FileDialog.OPEN, allow_multiple=True, file_types=file_types)
        return [str(p) for p in chosen or ()]

    def save_file(self, suggested_name: str) -> str | None:
        import webview

        chosen = self.window.create_file_dialog(webview.FileDialog.SAVE, save_filename=suggested_name)
        if not chosen:
            return None
        return str(chosen if isinstance(chosen, str) else chosen[0])


def run_window(services: Services) -> int:
    import webview

    server = LocalServer(services)
    geometry_file = services.data_dir / "window.json"
    geometry = {"width": 1200, "height": 800, **_load_geometry(geometry_file)}
    registry = server.app.extensions["aiwisper"]["registry"]
    window: Any = webview.create_window(
        TITLE, f"{server.url}&desktop=1", js_api=make_js_api(registry), min_size=(760, 520),
        width=geometry["width"], height=geometry["height"], x=geometry.get("x"), y=geometry.get("y"),
    )  # fmt: skip

    def save_geometry(**changes: int) -> None:
        geometry.update(changes)
        with contextlib.suppress(OSError):
            geometry_file.write_text(json.dumps(geometry))

    services.dialogs = WindowDialogs(window)
    window.events.resized += lambda width, height: save_geometry(width=width, height=height)
    window.events.moved += lambda x, y: save_geometry(x=x, y=y)

    def on_event(event: Event) -> None:
        if isinstance(event, SessionStarted):
            window.set_title(f"● Recording — {TITLE}")
        elif isinstance(event, SessionStopped):
            window.set_title(TITLE)

    services.bus.subscribe(on_event)

    def on_closing() -> bool:
        if services.recorder.session_id is None or os.environ.get("AIWISPER_SELFTEST"):
            return True
        return bool(window.create_confirmation_dialog("Quit AIWisper?", "A recording is running. Stop it and quit?"))

    window.events.closing += on_closing

    def close_from_signal(*_: object) -> None:
        threading.Thread(target=window.destroy, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, close_from_signal)

    selftest = os.environ.get("AIWISPER_SELFTEST")
    try:
        webview.start(_selftest if selftest else None, (window, selftest) if selftest else (), gui=_gui(),
                      private_mode=True)  # fmt: skip
    finally:
        server.close()
    return 0


def _gui() -> Literal["gtk"] | None:
    return "gtk" if sys.platform.startswith("linux") else None


_READY_JS = """
(async () => {
  if (!(window.pywebview && window.pywebview.api)) {
    await new Promise((r) => window.addEventListener("pywebviewready", r, { once: true }));
  }
  const reply = await window.pywebview.api.app.info({});
  window.__aiwisperSelftest = JSON.stringify(reply);
})();
"""


_CALL_JS = """
window.pywebview.api[%s][%s](%s).then(
  (r) => { window.__aiwisperCall = JSON.stringify(r); },
  (e) => { window.__aiwisperCall = JSON.stringify({ thrown: String(e) }); });
"""


def _poll_js(window: Any, expression: str, timeout: float) -> Any:
    """The value of a page variable once it is set (None after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    value = None
    while value is None and time.monotonic() < deadline:
        time.sleep(0.05)
        value = window.evaluate_js(f"{expression} || null")
    return value


def _selftest(window: Any, screenshot: str) -> None:
    """Wait until the page reports ready through the bridge, screenshot the screen, close the window."""
    window.events.loaded.wait(60)
    window.evaluate_js(_READY_JS)
    print(f"selftest: bridge {_poll_js(window, 'window.__aiwisperSelftest', 60)}", flush=True)
    call = os.environ.get("AIWISPER_SELFTEST_CALL")  # {"command": …, "params": …}: one call from the page
    if call:
        spec = json.loads(call)
        name, method = spec["command"].rsplit(".", 1)
        window.evaluate_js(_CALL_JS % (json.dumps(name), json.dumps(method), json.dumps(spec.get("params", {}))))
        print(f"selftest: call {_poll_js(window, 'window.__aiwisperCall', 120)}", flush=True)
    if screenshot != "none" and os.environ.get("DISPLAY"):  # "none": time to ready only (bench/startup.py)
        # The first frame can take a while on a cold start: retake until the screen is not blank (a blank
        # 1280x860 PNG is under 1 kB, the painted UI over 10 kB).
        for _ in range(20):
            time.sleep(0.5)
            subprocess.run(["import", "-window", "root", screenshot], check=False, timeout=30)
            if os.path.exists(screenshot) and os.path.getsize(screenshot) > 10_000:
                break
    window.destroy()
