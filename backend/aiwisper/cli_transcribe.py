"""`aiwisper transcribe FILE…` and `aiwisper diarize SESSION`: files to text, and who spoke when."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from aiwisper.errors import InvalidArgumentError
from aiwisper.events import ChunkTranscribed

if TYPE_CHECKING:
    from aiwisper.services import Services
    from aiwisper.speakers.worker import DiarizationWorker
    from aiwisper.transcription.jobs import Job

log = logging.getLogger("aiwisper.cli")


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
        name = model or services.settings.text("transcription.model") or None
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


def add_commands(sub: Any) -> None:
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
