"""CAM++ as an ONNX graph for onnxruntime, built from the converted arrays with `onnx.helper` (build time only).

Inputs are fixed-length windows: (batch, 150 frames, 80 bins), i.e. 1.5 s of fbank; with 150 frames the
masking context's 100-frame segment pooling covers the whole (75-frame) sequence, so it is twice the mean.
Batch norms after a convolution are folded into it; the pre-activation ones become Mul + Add.
"""

from __future__ import annotations

import numpy as np

from aiwisper.speakers.campplus import BLOCKS, SEG_LEN
from aiwisper.speakers.onnx_graph import Graph
from aiwisper.speakers.weights import Array

FRAMES = 150  # 1.5 s windows
assert (FRAMES // 2) <= SEG_LEN  # the masking context is one segment: see the module docstring


class _Graph(Graph):
    """CAM++'s layers: convolutions with their batch norms folded in, and standalone batch norms."""

    def conv(self, x: str, name: str, bn: str | None = None, stride: tuple[int, ...] = (1,), dilation: int = 1,
             pad: int = 0) -> str:  # fmt: skip
        weight = self.w[f"{name}.weight"]
        bias = self.w.get(f"{name}.bias", np.zeros(weight.shape[0], np.float32))
        if bn is not None:  # fold the batch norm that follows
            scale, shift = self.w[f"{bn}.scale"], self.w[f"{bn}.shift"]
            weight = weight * scale.reshape((-1,) + (1,) * (weight.ndim - 1))
            bias = bias * scale + shift
        dims = weight.ndim - 2
        return self.op("Conv", [x, self.const(weight, name), self.const(bias, name + ".b")], name,
                       strides=list(stride) if len(stride) == dims else list(stride) * dims,
                       dilations=[dilation] * dims, pads=[pad] * (2 * dims))  # fmt: skip

    def bn(self, x: str, name: str, dims: int = 1) -> str:
        shape = (-1,) + (1,) * dims
        scaled = self.op("Mul", [x, self.const(self.w[f"{name}.scale"].reshape(shape), name + ".s")], name)
        return self.op("Add", [scaled, self.const(self.w[f"{name}.shift"].reshape(shape), name + ".t")], name)

    def relu(self, x: str) -> str:
        return self.op("Relu", [x], "relu")


def build(w: dict[str, Array]) -> bytes:
    """The serialized ONNX model: input `feats` (batch, 150, 80), output `embedding` (batch, 192)."""
    from onnx import TensorProto, helper

    g = _Graph(w, compact=True)
    x = g.op("Transpose", ["feats"], "t", perm=[0, 2, 1])
    x = g.op("Reshape", [x, g.ints([0, 1, 80, FRAMES])], "r")
    x = g.relu(g.conv(x, "head.conv1", "head.bn1", pad=1))
    for layer in ("layer1", "layer2"):
        for i, stride in ((0, 2), (1, 1)):
            name = f"head.{layer}.{i}"
            out = g.relu(g.conv(x, f"{name}.conv1", f"{name}.bn1", stride=(stride, 1), pad=1))
            out = g.conv(out, f"{name}.conv2", f"{name}.bn2", pad=1)
            short = x
            if f"{name}.shortcut.0.weight" in w:
                short = g.conv(x, f"{name}.shortcut.0", f"{name}.shortcut.1", stride=(stride, 1))
            x = g.relu(g.op("Add", [out, short], "res"))
    x = g.relu(g.conv(x, "head.conv2", "head.bn2", stride=(2, 1), pad=1))
    x = g.op("Reshape", [x, g.ints([0, 320, FRAMES])], "flat")
    x = g.relu(g.conv(x, "xvector.tdnn.linear", "xvector.tdnn.nonlinear.batchnorm", stride=(2,), pad=2))
    for b, (layers, _, dilation) in enumerate(BLOCKS, start=1):
        for i in range(1, layers + 1):
            name = f"xvector.block{b}.tdnnd{i}"
            h = g.relu(g.bn(x, f"{name}.nonlinear1.batchnorm"))
            h = g.relu(g.conv(h, f"{name}.linear1", f"{name}.nonlinear2.batchnorm"))
            cam = f"{name}.cam_layer"
            local = g.conv(h, f"{cam}.linear_local", dilation=dilation, pad=dilation)
            mean = g.op("ReduceMean", [h, g.ints([2])], "mean", keepdims=1)
            context = g.op("Add", [mean, mean], "context")  # global mean + the one segment's mean
            gate = g.conv(g.relu(g.conv(context, f"{cam}.linear1")), f"{cam}.linear2")
            masked = g.op("Mul", [local, g.op("Sigmoid", [gate], "sig")], "mask")
            x = g.op("Concat", [x, masked], "cat", axis=1)
        x = g.conv(g.relu(g.bn(x, f"xvector.transit{b}.nonlinear.batchnorm")), f"xvector.transit{b}.linear")
    x = g.relu(g.bn(x, "xvector.out_nonlinear.batchnorm"))
    mean = g.op("ReduceMean", [x, g.ints([2])], "mean", keepdims=1)
    centred = g.op("Sub", [x, mean], "centred")
    var = g.op("ReduceSumSquare", [centred, g.ints([2])], "ss", keepdims=1)
    frames = FRAMES // 2
    std = g.op("Sqrt", [g.op("Mul", [var, g.const(np.array(1.0 / (frames - 1)), "n")], "var")], "std")
    stats = g.op("Concat", [mean, std], "stats", axis=1)
    emb = g.conv(stats, "xvector.dense.linear", "xvector.dense.nonlinear.batchnorm")
    g.nodes.append(helper.make_node("Squeeze", [emb, g.ints([2])], ["embedding"]))
    return g.model(
        "campplus", [helper.make_tensor_value_info("feats", TensorProto.FLOAT, ["batch", FRAMES, 80])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 192])],
    )  # fmt: skip
