"""A small builder of ONNX graphs from named numpy arrays, with `onnx.helper` (model build time only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aiwisper.speakers.weights import Array


class Graph:
    def __init__(self, w: dict[str, Array]) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.w = w
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
        return self.init(np.asarray(value, dtype=np.float32), hint)

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
