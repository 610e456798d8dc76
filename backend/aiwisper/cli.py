"""The `aiwisper` command line."""

from __future__ import annotations

import argparse
import json
import logging
import queue
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiwisper import __version__, paths
from aiwisper.errors import AiwisperError
from aiwisper.events import AudioLevels, Event

if TYPE_CHECKING:
    pass

log = logging.getLogger("aiwisper.cli")


def _cmd_devices(args: argparse.Namespace) -> int:
    from aiwisper.audio.capture import list_devices

    devices = list_devices()
    if not devices:
        print("no input devices found")
        return 0
    print(f"{'id':<40} {'host api':<12} {'ch':>3} {'rate':>6}  name")
    for d in devices:
        flags = ("*" if d.is_default else " ") + ("S" if d.is_monitor else " ")
        print(f"{d.id[:40]:<40} {d.host_api[:12]:<12} {d.channels:>3} {d.default_rate:>6} {flags} {d.name}")
    print("* default   S system audio (monitor/loopback)")
    return 0


_print_lock = threading.Lock()


def _print_event(event: Event) -> None:
    """One line per event. Events come from several threads: print() would write the text and the newline
    separately, and two events could share a line."""
    if isinstance(event, AudioLevels):
        return
    _say(f"event: {json.dumps(event.to_dict())}")


def _say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _cmd_record(args: argparse.Namespace) -> int:
    from aiwisper.languages import check_language
    from aiwisper.services import Services
    from aiwisper.sessions.recorder import RecordConfig

    system = None if args.system_device in (None, "none") else args.system_device
    mic = None if args.device == "none" else args.device
    services = Services(args.data_dir, source_factory=_replay_factory(args.replay), background_index=False)
    stop = threading.Event()
    try:
        services.bus.subscribe(_print_event)
        language = check_language(args.language or services.settings.text("transcription.language"))
        model = args.model or services.settings.text("transcription.model") or None
        language = services.registry.resolve(model, language)[1]  # refused before anything is recorded
        services.recover()
        config = RecordConfig(mic=mic, system=system, title=args.title, transcribe=not args.no_transcribe,
                              max_seconds=args.seconds, language=language, model=model,
                              vocabulary=args.vocabulary)  # fmt: skip
        session = services.recorder.start(config)
        _say(f"recording {session.id} to {services.data_dir / session.audio_file}")
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set() and not services.recorder.wait(0.2):
            pass
        if services.recorder.session_id is not None:
            services.recorder.stop("user")
    finally:
        services.close()
    return 0


def _cmd_sessions(args: argparse.Namespace) -> int:
    from aiwisper.services import Services
    from aiwisper.sessions import store

    services = Services(args.data_dir, transcription=False)
    try:
        services.recover()
        rows = services.db.read(lambda c: store.list_sessions(c, args.limit))
    finally:
        services.close()
    for s in rows:
        print(f"{s.id}  {s.status:<10} {s.duration_ms / 1000:>8.1f} s  {s.created_at}  {s.title}")
    return 0


def _replay_factory(path: str | None) -> Any:
    """A source factory whose microphone replays a WAV file in a loop (demos and end-to-end tests)."""
    from aiwisper.audio.capture import Block
    from aiwisper.audio.file_source import FileSource
    from aiwisper.audio.wav_read import read_wav_16k
    from aiwisper.sessions.recorder import RecordConfig, Source, device_sources

    if not path:
        return device_sources
    audio = read_wav_16k(Path(path))

    def factory(config: RecordConfig, out: queue.SimpleQueue[Block]) -> list[tuple[str, Source]]:
        return [("mic", FileSource(audio, 0, out, loop=True))]

    return factory


def _cmd_serve(args: argparse.Namespace) -> int:
    from aiwisper.api.server import LocalServer
    from aiwisper.services import Services

    services = Services(args.data_dir, source_factory=_replay_factory(getattr(args, "replay", None)))
    stop = threading.Event()
    server = None
    try:
        services.recover()
        server = LocalServer(services, port=args.port)
        print(f"AIWisper is serving at {server.url}", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(server.url)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
    finally:
        if server is not None:
            server.close()
        services.close()  # stops and finalizes a recording, closes the database
    print("stopped", flush=True)
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    import os

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("aiwisper: error: no display to open a window on; run `aiwisper serve` and open its URL in a browser",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        import webview  # noqa: F401
    except ImportError:
        print("aiwisper: pywebview is not available; opening the app in the browser instead", file=sys.stderr)
        args.port, args.open = 0, True
        return _cmd_serve(args)
    from aiwisper.desktop import run_window
    from aiwisper.services import Services

    services = Services(args.data_dir)
    code = 1
    try:
        services.recover()
        code = run_window(services)
    finally:
        services.close()
        # Everything is saved and closed. pywebview answers page calls on non-daemon threads that wait, without
        # a timeout, for the destroyed window: a call in flight at close would keep the process alive forever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aiwisper", description="Private, local recorder and transcriber.")
    parser.add_argument("--version", action="version", version=f"aiwisper {__version__}")
    parser.add_argument("--verbose", action="store_true", help="log to stderr too (the log file is always written)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("devices", help="list audio inputs (microphones and system-audio sources)").set_defaults(
        func=_cmd_devices
    )
    rec = sub.add_parser("record", help="record a session from the terminal (Ctrl-C stops)")
    rec.add_argument("--seconds", type=float, help="stop after this many seconds of audio")
    rec.add_argument("--device", default="default", help="microphone: id, name or 'none' (see: aiwisper devices)")
    rec.add_argument("--system-device", help="system audio: id, name or 'default' (default: off)")
    rec.add_argument("--title")
    rec.add_argument("--no-transcribe", action="store_true", help="record only; transcribe later")
    rec.add_argument("--model", help="model name (default: the setting, or chosen for the language)")
    rec.add_argument("--language", help="language code, or 'auto' (default: the setting)")
    rec.add_argument("--vocabulary", default="", help='words and names to expect, e.g. "Rotterdam, Kubernetes"')
    rec.add_argument("--replay", metavar="WAV", help="record a WAV file replayed in a loop at real-time pace")
    rec.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    rec.set_defaults(func=_cmd_record)
    ses = sub.add_parser("sessions", help="list recorded sessions (repairs any a crash cut off)")
    ses.add_argument("--limit", type=int, default=50)
    ses.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    ses.set_defaults(func=_cmd_sessions)

    srv = sub.add_parser("serve", help="serve the app to a browser on 127.0.0.1 (prints the URL with its token)")
    srv.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    srv.add_argument("--open", action="store_true", help="open the URL in the default browser")
    srv.add_argument("--replay", metavar="WAV", help="use a WAV file, replayed in a loop, as the microphone")
    srv.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    srv.set_defaults(func=_cmd_serve)

    from aiwisper import cli_library, cli_models, cli_speakers, cli_transcribe

    cli_models.add_commands(sub)
    cli_transcribe.add_commands(sub)
    cli_library.add_commands(sub)
    cli_speakers.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.data_dir = None
        args.func = _cmd_app
    from aiwisper.logs import setup_logging

    setup_logging(paths.data_dir(getattr(args, "data_dir", None)), args.verbose)
    log.info("aiwisper %s: %s", __version__, args.command or "app")
    try:
        return int(args.func(args))
    except AiwisperError as e:
        log.info("refused: %s", e)
        print(f"aiwisper: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
