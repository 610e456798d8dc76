"""PyTorch checkpoints read without torch: a restricted unpickler maps the tensor-rebuild calls to numpy.

A `.pt`/`.bin` checkpoint is a zip of `data.pkl` (the state dict's structure) and `data/<key>` (raw storages).
Only tensors, ordered dicts and storage types are allowed; any other global in the pickle is refused.
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.errors import AiwisperError

Array = npt.NDArray[Any]
DTYPES = {"FloatStorage": np.float32, "HalfStorage": np.float16, "DoubleStorage": np.float64,
          "LongStorage": np.int64, "IntStorage": np.int32, "BoolStorage": np.bool_}  # fmt: skip


class CheckpointError(AiwisperError):
    """A checkpoint could not be read (not a zip checkpoint, or something other than tensors inside)."""


class _Inert:
    """Stands in for a known metadata object in a checkpoint (task specifications, versions): keeps nothing."""

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __setstate__(self, _: Any) -> None:
        pass


def load_state_dict(data: bytes, inert: frozenset[str] = frozenset(), key: str | None = None) -> dict[str, Array]:
    """The tensors of a zip-format PyTorch checkpoint, as numpy arrays by name. `inert` names the other globals
    ("module.Name") that may appear, read as placeholders; `key` picks the state dict out of a larger checkpoint
    (a training checkpoint's "state_dict")."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        pkl = next(n for n in zf.namelist() if n.endswith("/data.pkl"))
    except (zipfile.BadZipFile, StopIteration) as e:
        raise CheckpointError("not a zip-format PyTorch checkpoint") from e
    root = pkl[: -len("data.pkl")]

    def rebuild(
        storage: tuple[Any, str], offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any
    ) -> Array:
        dtype, key = storage
        flat = np.frombuffer(zf.read(f"{root}data/{key}"), dtype=dtype)
        if not size:
            return flat[offset : offset + 1].reshape(()).copy()
        strides = [s * flat.itemsize for s in stride]
        return np.lib.stride_tricks.as_strided(flat[offset:], shape=size, strides=strides).copy()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                return rebuild
            if (module, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            if module == "torch" and name in DTYPES:
                return DTYPES[name]
            if f"{module}.{name}" in inert:
                return _Inert
            raise CheckpointError(f"the checkpoint holds {module}.{name}, which is not a tensor")

        def persistent_load(self, pid: Any) -> Any:
            _, dtype, key, _, _ = pid
            return (dtype, key)

    state = Unpickler(io.BytesIO(zf.read(pkl))).load()
    if key is not None:
        state = state.get(key) if isinstance(state, dict) else None
    if not isinstance(state, dict):
        raise CheckpointError("the checkpoint is not a state dict")
    return {k: v for k, v in state.items() if isinstance(v, np.ndarray)}


def batchnorm(state: dict[str, Array], name: str, eps: float = 1e-5) -> tuple[Array, Array]:
    """A BatchNorm layer in inference form: (scale, shift) per channel."""
    var, mean = state[f"{name}.running_var"], state[f"{name}.running_mean"]
    scale = 1.0 / np.sqrt(var + eps)
    weight = state.get(f"{name}.weight", np.ones_like(var))
    bias = state.get(f"{name}.bias", np.zeros_like(var))
    return (weight * scale).astype(np.float32), (bias - mean * weight * scale).astype(np.float32)
