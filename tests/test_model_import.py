"""`aiwisper models import`: good models are added; bad ones get a one-line error and write nothing."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from aiwisper.errors import InvalidArgumentError, ModelFormatError
from aiwisper.models.ggml import read_ggml
from aiwisper.models.install import import_model
from aiwisper.models.registry import ModelRegistry
from aiwisper.models.sources import SOURCES, model_directory

from .speech import JFK_WAV


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def target(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder


def _import_cli(path: Path, target: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIWISPER_MODELS_DIR": str(target)}
    return subprocess.run(
        [sys.executable, "-m", "aiwisper", "models", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _rejected(path: Path, target: Path, words: str) -> None:
    before = _snapshot(target)
    with pytest.raises((ModelFormatError, InvalidArgumentError)) as err:
        import_model(path, target)
    assert words in str(err.value)
    assert _snapshot(target) == before
    cli = _import_cli(path, target)
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], cli.stderr
    assert _snapshot(target) == before


def test_empty_file(tmp_path: Path, target: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    _rejected(empty, target, "is empty")


def test_wrong_magic(target: Path) -> None:
    _rejected(JFK_WAV, target, "wrong magic")


def test_truncated_tensor_data(tmp_path: Path, target: Path, models_dir: Path) -> None:
    cut = tmp_path / "ggml-cut.bin"
    data = (models_dir / "ggml-tiny.en-q8_0.bin").read_bytes()
    cut.write_bytes(data[: len(data) - 1000])
    _rejected(cut, target, "truncated")


def test_corrupt_header(tmp_path: Path, target: Path, models_dir: Path) -> None:
    bad = tmp_path / "ggml-bad.bin"
    data = bytearray((models_dir / "ggml-tiny.en-q8_0.bin").read_bytes()[:4096])
    struct.pack_into("<i", data, 4 + 4 * 4, 9999)  # n_audio_layer
    bad.write_bytes(bytes(data))
    _rejected(bad, target, "implausible dimensions")


def test_directory_without_model_bin(tmp_path: Path, target: Path) -> None:
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    _rejected(folder, target, "has no model.bin")


def test_directory_with_truncated_model_bin(tmp_path: Path, target: Path) -> None:
    folder = tmp_path / "cut-model"
    with model_directory(SOURCES[0]) as src:
        shutil.copytree(src, folder)
    data = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(data[: len(data) // 2])
    _rejected(folder, target, "truncated")


def test_missing_path(tmp_path: Path, target: Path) -> None:
    _rejected(tmp_path / "nope.bin", target, "does not exist")


def test_ggml_file_is_imported_and_listed(target: Path, models_dir: Path) -> None:
    rec = import_model(models_dir / "ggml-tiny.en-q8_0.bin", target, name="my-tiny")
    assert (target / rec.file).read_bytes() == (models_dir / "ggml-tiny.en-q8_0.bin").read_bytes()
    listed = ModelRegistry([target]).list()
    assert [m.name for m in listed] == ["my-tiny"]
    assert listed[0].record.weight_type == "q8_0" and listed[0].record.languages == "en"
    with pytest.raises(InvalidArgumentError, match="already installed"):
        import_model(models_dir / "ggml-tiny.en-q8_0.bin", target, name="my-tiny")


def test_faster_whisper_directory_is_converted(target: Path, tmp_path: Path) -> None:
    with model_directory(SOURCES[0]) as src:
        fw = tmp_path / "faster-whisper-tiny.en"
        shutil.copytree(src, fw)
    rec = import_model(fw, target, weight_type="q5_1")
    assert rec.name == "faster-whisper-tiny.en-q5_1"
    info = read_ggml(target / rec.file)
    assert info.weight_type == "q5_1" and info.hparams.ftype == 2009
    from aiwisper.asr.whisper_cpp import WhisperCppEngine
    from aiwisper.audio.wav_read import read_wav_16k

    eng = WhisperCppEngine(target / rec.file, threads=2)
    text = " ".join(s.text for s in eng.transcribe(read_wav_16k(JFK_WAV)))
    assert "ask not what your country can do for you" in text.lower()
