"""The converted ggml files hold exactly the CTranslate2 source weights."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aiwisper.models.ct2 import Ct2Model, read_ct2
from aiwisper.models.ggml import GgmlInfo, read_ggml
from aiwisper.models.mel import mel_filters
from aiwisper.models.quantize import dequantize_q8_0
from aiwisper.models.sources import SOURCES, model_directory

Array = npt.NDArray[np.generic]


class GgmlFile:
    def __init__(self, path: Path) -> None:
        self.info: GgmlInfo = read_ggml(path)
        self.raw = np.memmap(path, dtype=np.uint8, mode="r")
        self.by_name = {t.name: t for t in self.info.tensors}

    def values(self, name: str) -> Array:
        t = self.by_name[name]
        data = self.raw[t.offset : t.offset + t.nbytes]
        if t.type_name == "f16":
            return data.view("<f2").reshape(t.shape)
        if t.type_name == "f32":
            return data.view("<f4").reshape(t.shape)
        if t.type_name == "q8_0":
            return dequantize_q8_0(data.tobytes(), int(np.prod(t.shape))).reshape(t.shape)
        raise AssertionError(t.type_name)


@pytest.fixture(scope="module", params=SOURCES, ids=lambda s: s.name)
def source(request: pytest.FixtureRequest) -> Iterator[tuple[str, Ct2Model]]:
    with model_directory(request.param) as folder:
        yield request.param.name, read_ct2(folder / "model.bin")


def _fused_from_ggml(g: GgmlFile, ct2: Ct2Model) -> Iterator[tuple[str, Array, Array]]:
    """(CTranslate2 name, source values, the same values rebuilt from the ggml file)."""
    enc = {m.group(1) for n in ct2.variables if (m := re.match(r"encoder/(layer_\d+)/", n))}
    dec = {m.group(1) for n in ct2.variables if (m := re.match(r"decoder/(layer_\d+)/", n))}
    for stack, layers in (("encoder", enc), ("decoder", dec)):
        for layer in sorted(layers):
            i = layer.split("_")[1]
            out = f"{stack}.blocks.{i}"
            src = f"{stack}/{layer}"
            attn = [("self_attention", "attn", "attn_ln")]
            if stack == "decoder":
                attn.append(("attention", "cross_attn", "cross_attn_ln"))
            for ct2_attn, ggml_attn, ln in attn:
                q, k, v = (g.values(f"{out}.{ggml_attn}.{p}.weight") for p in ("query", "key", "value"))
                qb, vb = g.values(f"{out}.{ggml_attn}.query.bias"), g.values(f"{out}.{ggml_attn}.value.bias")
                zero = np.zeros_like(qb)
                if ct2_attn == "self_attention":
                    yield (
                        f"{src}/{ct2_attn}/linear_0/weight",
                        ct2.get(f"{src}/{ct2_attn}/linear_0/weight"),
                        np.concatenate([q, k, v]),
                    )
                    yield (
                        f"{src}/{ct2_attn}/linear_0/bias",
                        ct2.get(f"{src}/{ct2_attn}/linear_0/bias"),
                        np.concatenate([qb, zero, vb]),
                    )
                    o = "linear_1"
                else:
                    yield f"{src}/{ct2_attn}/linear_0/weight", ct2.get(f"{src}/{ct2_attn}/linear_0/weight"), q
                    yield f"{src}/{ct2_attn}/linear_0/bias", ct2.get(f"{src}/{ct2_attn}/linear_0/bias"), qb
                    yield (
                        f"{src}/{ct2_attn}/linear_1/weight",
                        ct2.get(f"{src}/{ct2_attn}/linear_1/weight"),
                        np.concatenate([k, v]),
                    )
                    yield (
                        f"{src}/{ct2_attn}/linear_1/bias",
                        ct2.get(f"{src}/{ct2_attn}/linear_1/bias"),
                        np.concatenate([zero, vb]),
                    )
                    o = "linear_2"
                for p, gp in (("weight", "weight"), ("bias", "bias")):
                    yield (
                        f"{src}/{ct2_attn}/{o}/{p}",
                        ct2.get(f"{src}/{ct2_attn}/{o}/{p}"),
                        g.values(f"{out}.{ggml_attn}.out.{gp}"),
                    )
                for p, gp in (("gamma", "weight"), ("beta", "bias")):
                    yield (
                        f"{src}/{ct2_attn}/layer_norm/{p}",
                        ct2.get(f"{src}/{ct2_attn}/layer_norm/{p}"),
                        g.values(f"{out}.{ln}.{gp}"),
                    )
            for lin, mlp in (("linear_0", "mlp.0"), ("linear_1", "mlp.2")):
                for p in ("weight", "bias"):
                    yield f"{src}/ffn/{lin}/{p}", ct2.get(f"{src}/ffn/{lin}/{p}"), g.values(f"{out}.{mlp}.{p}")
            for p, gp in (("gamma", "weight"), ("beta", "bias")):
                yield f"{src}/ffn/layer_norm/{p}", ct2.get(f"{src}/ffn/layer_norm/{p}"), g.values(f"{out}.mlp_ln.{gp}")
    singles = {
        "encoder/conv1/weight": "encoder.conv1.weight",
        "encoder/conv1/bias": "encoder.conv1.bias",
        "encoder/conv2/weight": "encoder.conv2.weight",
        "encoder/conv2/bias": "encoder.conv2.bias",
        "encoder/position_encodings/encodings": "encoder.positional_embedding",
        "encoder/layer_norm/gamma": "encoder.ln_post.weight",
        "encoder/layer_norm/beta": "encoder.ln_post.bias",
        "decoder/embeddings/weight": "decoder.token_embedding.weight",
        "decoder/position_encodings/encodings": "decoder.positional_embedding",
        "decoder/layer_norm/gamma": "decoder.ln.weight",
        "decoder/layer_norm/beta": "decoder.ln.bias",
    }
    for ct2_name, ggml_name in singles.items():
        yield ct2_name, ct2.get(ct2_name), g.values(ggml_name)


def test_f16_file_holds_every_source_tensor_bit_for_bit(source: tuple[str, Ct2Model], models_dir: Path) -> None:
    name, ct2 = source
    g = GgmlFile(models_dir / f"ggml-{name}.bin")
    checked = set()
    for ct2_name, src, rebuilt in _fused_from_ggml(g, ct2):
        assert src.dtype == np.float16, ct2_name
        assert rebuilt.shape == src.shape or rebuilt.size == src.size, ct2_name
        # f16 → f16 is a byte copy; f16 → f32 is exact, so converting back must give the same bits.
        back = np.asarray(rebuilt).reshape(src.shape).astype(np.float16)
        assert np.array_equal(back.view(np.uint16), src.view(np.uint16)), ct2_name
        checked.add(ct2_name)
    weights = {n for n, v in ct2.variables.items() if v.ndim > 0}
    assert checked == weights, weights - checked
    assert len(g.info.tensors) == g.info.hparams.expected_tensors


def test_q8_0_file_is_within_a_quantization_step_of_the_source(source: tuple[str, Ct2Model], models_dir: Path) -> None:
    name, ct2 = source
    g = GgmlFile(models_dir / f"ggml-{name}-q8_0.bin")
    assert g.info.hparams.ftype == 2007
    for ct2_name, src, rebuilt in _fused_from_ggml(g, ct2):
        s = src.astype(np.float32).reshape(-1, 32) if src.size % 32 == 0 else src.astype(np.float32).reshape(1, -1)
        r = np.asarray(rebuilt, dtype=np.float32).reshape(s.shape)
        step = np.abs(s).max(axis=1, keepdims=True) / 127
        # Half a step, plus 127 times the float16 rounding of the block's scale.
        rounding = np.abs(step.astype(np.float16).astype(np.float32) - step)
        assert np.all(np.abs(r - s) <= step / 2 + 127 * rounding + 1e-9), ct2_name
    types = {t.type_name for t in g.info.tensors}
    assert types == {"q8_0", "f16", "f32"}
    assert {t.name for t in g.info.tensors if t.type_name == "f16"} == {"encoder.conv1.weight", "encoder.conv2.weight"}


def test_header_dimensions(models_dir: Path) -> None:
    tiny = read_ggml(models_dir / "ggml-tiny.en.bin").hparams
    assert (tiny.n_vocab, tiny.n_audio_state, tiny.n_audio_head, tiny.n_audio_layer) == (51864, 384, 6, 4)
    assert (tiny.n_text_ctx, tiny.n_audio_ctx, tiny.n_mels, tiny.ftype) == (448, 1500, 80, 1)
    base = read_ggml(models_dir / "ggml-base.bin").hparams
    assert (base.n_vocab, base.n_text_state, base.n_text_head, base.n_text_layer) == (51865, 512, 8, 6)
    assert base.multilingual and not tiny.multilingual


def test_mel_filters_are_slaney_normalized_triangles() -> None:
    f = mel_filters()
    assert f.shape == (80, 201) and f.dtype == np.float32
    peaks = f.argmax(axis=1)
    assert np.all(np.diff(peaks) >= 0)  # centres rise with the mel index
    # Slaney norm: each triangle has unit area over frequency (bins are 40 Hz apart), up to sampling.
    areas = f.sum(axis=1) * 40.0
    assert np.allclose(areas, 1.0, atol=0.1) and abs(areas.mean() - 1.0) < 0.01
    # Known values of OpenAI's mel_filters.npz (80 bins): first filter's peak bin and value.
    assert peaks[0] == 1
    assert f[0, 1] == pytest.approx(0.02486259, rel=1e-5)
