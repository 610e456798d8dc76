"""onnxruntime sessions as the app runs them: on the CPU, a set number of threads per operator, one between
operators (the models here are sequential), warnings and errors logged only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiwisper.errors import AiwisperError


def cpu_session(path: Path, threads: int) -> Any:
    try:
        import onnxruntime as ort
    except ImportError as e:  # pragma: no cover - depends on the install
        raise AiwisperError("onnxruntime is not installed: pip install onnxruntime") from e
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
