"""A small builder of ONNX graphs from named numpy arrays, with `onnx.helper` (model build time only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aiwisper.speakers.weights import Array

# Weights with at least this many values (a multiple of the block) are stored as int8 (see `Graph.const`).
COMPACT_MIN = 1024
BLOCK = 32


def compact(value: Array) -> tuple[Array, Array]:
    """`value` (size a multiple of BLOCK) as int8 steps in blocks of 32 consecutive values with one float32
    scale each, symmetric, as ggml's Q8_0 (whose scale is float16): each weight is off by at most half a step,
    1/254 of the largest magnitude in its block; a block of zeros stays zeros."""
    blocks = value.reshape(-1, BLOCK)
    peak = np.abs(blocks).max(axis=1, keepdims=True)
    scale = (np.where(peak > 0, peak, 1.0) / 127.0).astype(np.float32)
    steps = np.clip(np.rint(blocks / scale), -127, 127).astype(np.int8)
    return steps, scale


class Graph:
    def __init__(self, w: dict[str, Array], compact: bool = False) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.w = w
        self.compact = compact
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.n = 0

    def name(self, hint: str) -> str:
        self.n += 1
        return f"{hint}_{self.n}"

    def init(self, value: Array, hint: str) -> str:
        """An initializer kept in its own type (uint8 nibbles, float16 scales, …)."""
        name = self.name(hint)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def const(self, value: Array, hint: str) -> str:
        """A float32 constant. In a compact graph a large one is stored as int8 steps times float32 scales (a
        quarter of the bytes); onnxruntime folds the Cast and Mul when the session starts, so it runs in float32
        as before, at the same speed."""
        value = np.asarray(value, dtype=np.float32)
        matrix = sum(d > 1 for d in value.shape) >= 2  # weights; not scales, shifts or biases shaped (n, 1)
        if not self.compact or not matrix or value.size < COMPACT_MIN or value.size % BLOCK:
            return self.init(value, hint)
        steps, scale = compact(value)
        wide = self.op("Cast", [self.init(steps, hint + ".q")], hint, to=1)  # 1: FLOAT
        blocks = self.op("Mul", [wide, self.init(scale, hint + ".s")], hint)
        return self.op("Reshape", [blocks, self.ints(list(value.shape))], hint)

    def op(self, kind: str, inputs: list[str], hint: str, domain: str = "", **attrs: Any) -> str:
        out = self.name(hint)
        self.nodes.append(self.helper.make_node(kind, inputs, [out], domain=domain or None, **attrs))
        return out

    def ints(self, values: list[int]) -> str:
        name = self.name("ints")
        self.inits.append(self.numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def model(self, name: str, inputs: list[Any], outputs: list[Any], contrib: bool = False) -> bytes:
        """The serialized model (opset 18), checked unless it uses onnxruntime's own operators (`contrib`)."""
        from onnx import checker, helper

        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        opsets = [helper.make_opsetid("", 18)] + ([helper.make_opsetid("com.microsoft", 1)] if contrib else [])
        model = helper.make_model(graph, opset_imports=opsets, producer_name="aiwisper")
        model.ir_version = 8
        if not contrib:
            checker.check_model(model)
        data: bytes = model.SerializeToString()
        return data
