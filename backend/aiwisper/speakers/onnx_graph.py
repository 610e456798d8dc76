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

    def const(self, value: Array, hint: str) -> str:
        name = self.name(hint)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def op(self, kind: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        out = self.name(hint)
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attrs))
        return out

    def ints(self, values: list[int]) -> str:
        name = self.name("ints")
        self.inits.append(self.numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def model(self, name: str, inputs: list[Any], outputs: list[Any]) -> bytes:
        """The checked, serialized model (opset 18)."""
        from onnx import checker, helper

        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="aiwisper")
        model.ir_version = 8
        checker.check_model(model)
        data: bytes = model.SerializeToString()
        return data
