"""Checks that JSON from the server has exactly the shape its Python type (and so the generated TypeScript) says."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, get_args, get_origin

from aiwisper.api.typescript import command_registry, event_classes
from aiwisper.events import Event

COMMANDS = command_registry().commands
EVENTS = event_classes()


def conforms(value: Any, ann: Any, where: str = "result") -> None:
    """Raises AssertionError naming the first place where `value` does not match `ann`."""
    origin = get_origin(ann)
    if ann is Any:
        return
    if origin in (types.UnionType, typing.Union):
        problems = []
        for option in get_args(ann):
            try:
                conforms(value, option, where)
                return
            except AssertionError as e:
                problems.append(str(e))
        raise AssertionError(f"{where}: {value!r:.80} matches none of {ann}: {problems}")
    if ann is type(None):
        assert value is None, f"{where} should be null, is {value!r:.80}"
    elif origin is Literal:
        assert value in get_args(ann), f"{where} = {value!r} is not one of {get_args(ann)}"
    elif ann is bool:
        assert isinstance(value, bool), f"{where} should be a boolean, is {value!r:.80}"
    elif ann in (int, float):
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where} should be a number"
        if ann is int:
            assert float(value).is_integer(), f"{where} should be a whole number, is {value}"
    elif ann is str:
        assert isinstance(value, str), f"{where} should be text, is {value!r:.80}"
    elif origin is list:
        assert isinstance(value, list), f"{where} should be a list, is {value!r:.80}"
        (item,) = get_args(ann)
        for i, v in enumerate(value):
            conforms(v, item, f"{where}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), f"{where} should be an object"
        for k, v in value.items():
            conforms(v, get_args(ann)[1], f"{where}.{k}")
    elif isinstance(ann, type) and (dataclasses.is_dataclass(ann) or typing.is_typeddict(ann)):
        assert isinstance(value, dict), f"{where} should be an object ({ann.__name__}), is {value!r:.80}"
        hints = typing.get_type_hints(ann)
        names = [f.name for f in dataclasses.fields(ann)] if dataclasses.is_dataclass(ann) else list(hints)
        expected = set(names) | ({"type"} if issubclass(ann, Event) else set())
        assert set(value) == expected, f"{where} ({ann.__name__}) has keys {sorted(value)}, expected {sorted(expected)}"
        if issubclass(ann, Event):
            assert value["type"] == ann.type, f"{where}.type is {value['type']!r}, expected {ann.type!r}"
        for n in names:
            conforms(value[n], hints[n], f"{where}.{n}")
    else:
        raise AssertionError(f"{where}: no check for {ann!r}")


def check_result(command: str, result: Any) -> None:
    conforms(result, COMMANDS[command].returns, command)


def check_event(event: dict[str, Any]) -> None:
    assert event.get("type") in EVENTS, f"unknown event type {event.get('type')!r}"
    conforms(event, EVENTS[event["type"]], event["type"])
