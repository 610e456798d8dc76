"""CTranslate2 Whisper model directory → whisper.cpp ggml file.

Tensor names follow OpenAI's PyTorch checkpoint, which whisper.cpp expects.
CTranslate2 fuses self-attention q,k,v into `linear_0` and cross-attention
k,v into `linear_1`; they are split here. Whisper has no key bias: the zero
key biases CTranslate2 stores are dropped (whisper.cpp checks the tensor
count). float16 weights are copied byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from aiwisper.errors import ModelFormatError
from aiwisper.models.ct2 import Ct2Model, read_ct2
from aiwisper.models.ggml import FTYPES, QNT_VERSION, QNT_VERSION_FACTOR, TYPE_IDS, GgmlWriter, HParams
from aiwisper.models.mel import mel_filters
from aiwisper.models.quantize import quantize_q5_1, quantize_q8_0
from aiwisper.models.vocab import N_TEXT_TOKENS, read_vocabulary, token_bytes

WEIGHT_TYPES = ("f16", "f32", "q8_0", "q5_1")
# Tensors kept in float32 whatever the weight type (whisper.cpp's converter and quantizer agree).
_KEEP_F32 = {"encoder.conv1.bias", "encoder.conv2.bias", "encoder.positional_embedding", "decoder.positional_embedding"}

Array = npt.NDArray[np.generic]


@dataclass(frozen=True)
class Tensor:
    """One ggml tensor before encoding: its name and source values."""

    name: str
    values: Array


def _layers(model: Ct2Model, stack: str) -> int:
    pattern = re.compile(rf"^{stack}/layer_(\d+)/")
    found = {int(m.group(1)) for name in model.variables if (m := pattern.match(name))}
    if not found or found != set(range(len(found))):
        raise ModelFormatError(f"model.bin has no complete {stack} layer stack")
    return len(found)


def _dense(model: Ct2Model, prefix: str) -> Array:
    """A weight as float: int8 weights are scaled back with their `weight_scale`."""
    w = model.get(f"{prefix}/weight")
    if w.dtype == np.int8:
        scale = model.get(f"{prefix}/weight_scale").astype(np.float32)
        return (w.astype(np.float32) / scale.reshape(-1, *([1] * (w.ndim - 1)))).astype(np.float32)
    return w


def hparams_of(model: Ct2Model, weight_type: str) -> HParams:
    """Whisper dimensions read off the tensors' shapes and the stored head counts."""
    if model.spec != "WhisperSpec":
        raise ModelFormatError(f"model.bin holds a {model.spec}, not a Whisper model")
    conv1 = model.get("encoder/conv1/weight")
    emb = model.get("decoder/embeddings/weight")
    ftype = FTYPES[weight_type]
    if weight_type.startswith("q"):
        ftype += QNT_VERSION * QNT_VERSION_FACTOR
    return HParams(
        n_vocab=emb.shape[0],
        n_audio_ctx=model.get("encoder/position_encodings/encodings").shape[0],
        n_audio_state=conv1.shape[0],
        n_audio_head=model.scalar("encoder/num_heads", conv1.shape[0] // 64),
        n_audio_layer=_layers(model, "encoder"),
        n_text_ctx=model.get("decoder/position_encodings/encodings").shape[0],
        n_text_state=emb.shape[1],
        n_text_head=model.scalar("decoder/num_heads", emb.shape[1] // 64),
        n_text_layer=_layers(model, "decoder"),
        n_mels=conv1.shape[1],
        ftype=ftype,
    )


def _split(model: Ct2Model, prefix: str, parts: list[str | None], out: str) -> Iterator[Tensor]:
    """Split a fused linear into named parts; a `None` part is the dropped (zero) key bias."""
    w = _dense(model, prefix)
    b = model.get(f"{prefix}/bias")
    n = w.shape[0] // len(parts)
    for i, part in enumerate(parts):
        rows = slice(i * n, (i + 1) * n)
        name = part or "key"
        yield Tensor(f"{out}.{name}.weight", w[rows])
        if part is None:
            if np.any(b[rows].astype(np.float32) != 0):
                raise ModelFormatError(f"{prefix} has a non-zero key bias; whisper.cpp cannot hold it")
        else:
            yield Tensor(f"{out}.{part}.bias", b[rows])


def _linear(model: Ct2Model, prefix: str, out: str) -> Iterator[Tensor]:
    yield Tensor(f"{out}.weight", _dense(model, prefix))
    yield Tensor(f"{out}.bias", model.get(f"{prefix}/bias"))


def _norm(model: Ct2Model, prefix: str, out: str) -> Iterator[Tensor]:
    yield Tensor(f"{out}.weight", model.get(f"{prefix}/gamma"))
    yield Tensor(f"{out}.bias", model.get(f"{prefix}/beta"))


def whisper_tensors(model: Ct2Model, hp: HParams) -> Iterator[Tensor]:
    """Every tensor whisper.cpp loads, in the order of OpenAI's checkpoint."""
    for conv in ("conv1", "conv2"):
        yield Tensor(f"encoder.{conv}.weight", _dense(model, f"encoder/{conv}"))
        yield Tensor(f"encoder.{conv}.bias", model.get(f"encoder/{conv}/bias").reshape(-1, 1))
    yield Tensor("encoder.positional_embedding", model.get("encoder/position_encodings/encodings"))
    for i in range(hp.n_audio_layer):
        src, out = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        yield from _split(model, f"{src}/self_attention/linear_0", ["query", None, "value"], f"{out}.attn")
        yield from _linear(model, f"{src}/self_attention/linear_1", f"{out}.attn.out")
        yield from _norm(model, f"{src}/self_attention/layer_norm", f"{out}.attn_ln")
        yield from _linear(model, f"{src}/ffn/linear_0", f"{out}.mlp.0")
        yield from _linear(model, f"{src}/ffn/linear_1", f"{out}.mlp.2")
        yield from _norm(model, f"{src}/ffn/layer_norm", f"{out}.mlp_ln")
    yield from _norm(model, "encoder/layer_norm", "encoder.ln_post")
    yield Tensor("decoder.token_embedding.weight", model.get("decoder/embeddings/weight"))
    yield Tensor("decoder.positional_embedding", model.get("decoder/position_encodings/encodings"))
    for i in range(hp.n_text_layer):
        src, out = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        yield from _split(model, f"{src}/self_attention/linear_0", ["query", None, "value"], f"{out}.attn")
        yield from _linear(model, f"{src}/self_attention/linear_1", f"{out}.attn.out")
        yield from _norm(model, f"{src}/self_attention/layer_norm", f"{out}.attn_ln")
        yield from _linear(model, f"{src}/attention/linear_0", f"{out}.cross_attn.query")
        yield from _split(model, f"{src}/attention/linear_1", [None, "value"], f"{out}.cross_attn")
        yield from _linear(model, f"{src}/attention/linear_2", f"{out}.cross_attn.out")
        yield from _norm(model, f"{src}/attention/layer_norm", f"{out}.cross_attn_ln")
        yield from _linear(model, f"{src}/ffn/linear_0", f"{out}.mlp.0")
        yield from _linear(model, f"{src}/ffn/linear_1", f"{out}.mlp.2")
        yield from _norm(model, f"{src}/ffn/layer_norm", f"{out}.mlp_ln")
    yield from _norm(model, "decoder/layer_norm", "decoder.ln")


def storage_type(t: Tensor, weight_type: str) -> str:
    """The ggml type a tensor is stored as for a file of `weight_type`."""
    if t.values.ndim < 2 or t.name in _KEEP_F32:
        return "f32"
    if weight_type in ("f16", "f32"):
        return weight_type
    # Quantized files: only matrices are quantized; conv kernels stay f16.
    return weight_type if t.values.ndim == 2 else "f16"


def encode(values: Array, type_name: str) -> bytes:
    """The raw bytes of `values` in a ggml type; float16 → float16 is a copy."""
    if type_name == "f16":
        return np.ascontiguousarray(values, dtype="<f2").tobytes()
    if type_name == "f32":
        return np.ascontiguousarray(values, dtype="<f4").tobytes()
    # Quantizers work from the f16 values, as whisper.cpp's quantize tool does on an f16 file.
    as_f32 = values.astype(np.float16).astype(np.float32)
    if type_name == "q8_0":
        return quantize_q8_0(as_f32)
    if type_name == "q5_1":
        return quantize_q5_1(as_f32)
    raise ValueError(f"unknown ggml type {type_name}")


def find_model_bin(model_dir: Path) -> Path:
    path = model_dir / "model.bin"
    if not path.is_file():
        raise ModelFormatError(f"{model_dir} is not a faster-whisper model: it has no model.bin")
    return path


def convert(model_dir: Path, out: BinaryIO, weight_type: str = "f16") -> HParams:
    """Write the ggml form of the CTranslate2 Whisper model in `model_dir` to `out`."""
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"weight type must be one of {', '.join(WEIGHT_TYPES)}")
    model = read_ct2(find_model_bin(model_dir))
    hp = hparams_of(model, weight_type)
    tokens = [token_bytes(t) for t in read_vocabulary(model_dir)[:N_TEXT_TOKENS]]
    writer = GgmlWriter(out, hp, mel_filters(n_mels=hp.n_mels), tokens)
    for t in whisper_tensors(model, hp):
        kind = storage_type(t, weight_type)
        writer.tensor(t.name, t.values.shape, TYPE_IDS[kind], encode(t.values, kind))
    if writer.count != hp.expected_tensors:
        raise ModelFormatError(f"wrote {writer.count} tensors, whisper.cpp expects {hp.expected_tensors}")
    return hp
