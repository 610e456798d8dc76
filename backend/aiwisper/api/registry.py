"""One registry of commands. Each is a small typed function; parameters are checked against its
annotations before it runs, and known exceptions become `{error: {code, message}}` with a stable code.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from aiwisper.errors import CODES, AiwisperError
from aiwisper.events import to_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: Any
    required: bool
    default: Any


@dataclass(frozen=True)
class Command:
    """A named command: its function, parameters and one-line help."""

    name: str
    fn: Callable[..., Any]
    params: tuple[Param, ...]
    returns: Any
    help: str


class ParamError(AiwisperError):
    """A parameter has the wrong type or is missing."""

    code = "invalid_argument"


def _check(value: Any, ann: Any, where: str) -> Any:
    origin = get_origin(ann)
    if ann is Any:
        return value
    if origin in (types.UnionType, typing.Union):
        for option in get_args(ann):
            with contextlib.suppress(ParamError):
                return _check(value, option, where)
        raise ParamError(f"{where} has the wrong type")
    if ann is type(None):
        if value is not None:
            raise ParamError(f"{where} must be null")
        return None
    if origin is Literal:
        if value not in get_args(ann):
            raise ParamError(f"{where} must be one of {', '.join(map(str, get_args(ann)))}")
        return value
    if ann is bool:
        if not isinstance(value, bool):
            raise ParamError(f"{where} must be true or false")
        return value
    if ann is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(f"{where} must be a whole number")
        if abs(value) > 2**53:
            raise ParamError(f"{where} is out of range")
        return value
    if ann is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ParamError(f"{where} must be a finite number")
        return float(value)
    if ann is str:
        if not isinstance(value, str):
            raise ParamError(f"{where} must be text")
        if len(value) > 100_000:
            raise ParamError(f"{where} is too long (at most 100,000 characters, {len(value):,} given)")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ParamError(f"{where} must be a list")
        (item,) = get_args(ann)
        if len(value) > 10_000:
            raise ParamError(f"{where} has too many items")
        return [_check(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict or ann is dict:
        if not isinstance(value, dict):
            raise ParamError(f"{where} must be an object")
        return value
    raise TypeError(f"unsupported parameter annotation {ann!r}")


def command(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks a method of a group of commands as the command `name`."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__dict__["command_name"] = name
        return fn

    return mark


class Registry:
    """Commands by name; `call` validates and runs one, and never raises."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}

    def add(self, group: object) -> None:
        """The marked methods of `group`: bound and callable for an instance, declarations only for a class."""
        owner = group if isinstance(group, type) else type(group)
        for attr, fn in vars(owner).items():
            name = getattr(fn, "command_name", None)
            if name is None:
                continue
            if name in self.commands:
                raise ValueError(f"command {name} declared twice")
            self._register(name, fn if isinstance(group, type) else getattr(group, attr), fn)

    def _register(self, name: str, call: Callable[..., Any], declared: Callable[..., Any]) -> None:
        hints = typing.get_type_hints(declared)
        params = tuple(
            Param(p.name, hints[p.name], p.default is inspect.Parameter.empty,
                  None if p.default is inspect.Parameter.empty else p.default)
            for p in inspect.signature(declared).parameters.values() if p.name != "self"
        )  # fmt: skip
        doc = (declared.__doc__ or "").strip().splitlines()
        self.commands[name] = Command(name, call, params, hints.get("return"), doc[0] if doc else "")

    def validate(self, name: str, args: Any) -> tuple[Command, dict[str, Any]]:
        cmd = self.commands.get(name)
        if cmd is None:
            raise ParamError(f"unknown command {name!r}")
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise ParamError("the parameters must be a JSON object")
        known = {p.name for p in cmd.params}
        extra = sorted(set(args) - known)
        if extra:
            raise ParamError(f"{name} has no parameter {extra[0]!r}")
        checked = {}
        for p in cmd.params:
            if p.name in args:
                checked[p.name] = _check(args[p.name], p.annotation, p.name)
            elif p.required:
                raise ParamError(f"{name} needs the parameter {p.name!r}")
        return cmd, checked

    def call(self, name: str, args: Any) -> dict[str, Any]:
        """`{"result": …}` or `{"error": {"code", "message"}}`; a bug gives "failed" with no trace."""
        try:
            cmd, checked = self.validate(name, args)
            return {"result": to_json(cmd.fn(**checked))}
        except AiwisperError as e:
            code = e.code if e.code in CODES else "failed"
            return {"error": {"code": code, "message": str(e)}}
        except Exception:
            log.exception("command %s failed", name)
            return {"error": {"code": "failed", "message": f"{name} failed unexpectedly; see the log"}}
