"""Test set-up: HOME and XDG folders in a temp folder, real models from models/."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwisper import paths
from aiwisper.models.registry import ModelRegistry

_HOME = Path(tempfile.mkdtemp(prefix="aiwisper-test-home-"))
for var, sub in [
    ("HOME", ""),
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_RUNTIME_DIR", "run"),
]:
    (_HOME / sub).mkdir(parents=True, exist_ok=True)
    os.environ[var] = str(_HOME / sub)
os.chmod(_HOME / "run", 0o700)
# notes are not written by themselves after each import or recording of the suite, nor speakers labelled live
# while each test records (the tests of those turn them on)
os.environ["AIWISPER_DEFAULTS"] = '{"summaries.auto": false, "speakers.live": false, "app.welcomed": true}'

_REPORT: list[str] = []


@pytest.fixture(scope="session")
def models_dir() -> Path:
    folder = paths.models_dir()
    if not (folder / "models.json").is_file():
        pytest.fail(f"no models in {folder}: run `make setup` (aiwisper models build)")
    return folder


@pytest.fixture(scope="session")
def registry(models_dir: Path) -> ModelRegistry:
    return ModelRegistry([models_dir])


@pytest.fixture(scope="session")
def report() -> Iterator[list[str]]:
    """Lines printed after the test run (measured figures such as word error rates)."""
    yield _REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORT:
        terminalreporter.section("measured")
        for line in _REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed: run make setup")
    name = ":97"
    xvfb = subprocess.Popen(["Xvfb", name, "-screen", "0", "1280x860x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1.0)
    yield name
    xvfb.terminate()
    xvfb.wait(10)
