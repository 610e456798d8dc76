"""pyannote segmentation-3.0 as an ONNX graph, built from the converted arrays with `onnx.helper` (build time).

PyTorch's LSTM gates are (input, forget, cell, output); ONNX's are (input, output, forget, cell): reordered here.
"""

from __future__ import annotations

import numpy as np

from aiwisper.speakers.onnx_graph import Graph
from aiwisper.speakers.segmentation import CHUNK, FRAMES, POWERSET
from aiwisper.speakers.weights import Array

HIDDEN, LAYERS = 128, 4
GATES = [0, 3, 1, 2]  # ONNX gate order, as indices of PyTorch's


def _gates(w: Array) -> Array:
    return np.concatenate([np.split(w, 4)[i] for i in GATES])


def build(w: dict[str, Array]) -> bytes:
    """The serialized ONNX model: input `audio` (batch, 1, 160000), output `logprobs` (batch, 589, 7)."""
    from onnx import TensorProto, helper

    g = Graph(w, compact=True)

    def norm(x: str, name: str) -> str:
        return g.op("InstanceNormalization", [x, g.const(w[f"{name}.weight"], name), g.const(w[f"{name}.bias"], name)],
                    name, epsilon=1e-5)  # fmt: skip

    def leaky(x: str) -> str:
        return g.op("LeakyRelu", [x], "leaky", alpha=0.01)

    x = norm("audio", "sincnet.wav_norm1d")
    for i in range(3):
        conv = f"sincnet.conv1d.{i}"
        inputs = [x, g.const(w[f"{conv}.weight"], conv)]
        if f"{conv}.bias" in w:
            inputs.append(g.const(w[f"{conv}.bias"], conv + ".b"))
        x = g.op("Conv", inputs, conv, strides=[10 if i == 0 else 1])
        if i == 0:
            x = g.op("Abs", [x], "abs")
        x = g.op("MaxPool", [x], "pool", kernel_shape=[3], strides=[3])
        x = leaky(norm(x, f"sincnet.norm1d.{i}"))
    x = g.op("Transpose", [x], "t", perm=[2, 0, 1])  # (frames, batch, features)
    for layer in range(LAYERS):
        names = [f"l{layer}", f"l{layer}_reverse"]
        wi = np.stack([_gates(w[f"lstm.weight_ih_{n}"]) for n in names])
        wh = np.stack([_gates(w[f"lstm.weight_hh_{n}"]) for n in names])
        b = np.stack([np.concatenate([_gates(w[f"lstm.bias_ih_{n}"]), _gates(w[f"lstm.bias_hh_{n}"])]) for n in names])
        y = g.op("LSTM", [x, g.const(wi, "W"), g.const(wh, "R"), g.const(b, "B")], "lstm",
                 hidden_size=HIDDEN, direction="bidirectional")  # fmt: skip
        y = g.op("Transpose", [y], "t", perm=[0, 2, 1, 3])  # (frames, batch, 2, hidden)
        x = g.op("Reshape", [y, g.ints([0, 0, 2 * HIDDEN])], "r")
    x = g.op("Transpose", [x], "t", perm=[1, 0, 2])  # (batch, frames, 256)
    for name in ("linear.0", "linear.1", "classifier"):
        x = g.op("MatMul", [x, g.const(w[f"{name}.weight"].T, name)], name)
        x = g.op("Add", [x, g.const(w[f"{name}.bias"], name + ".b")], name)
        if name != "classifier":
            x = leaky(x)
    g.nodes.append(g.helper.make_node("LogSoftmax", [x], ["logprobs"], axis=-1))
    return g.model(
        "segmentation", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", 1, CHUNK])],
        [helper.make_tensor_value_info("logprobs", TensorProto.FLOAT, ["batch", FRAMES, len(POWERSET)])],
    )  # fmt: skip
