"""The pywebview `js_api` object: the registry's commands as namespaces, and nothing else.

`window.pywebview.api.sessions.list({limit: 20})` calls `sessions.list`; every
method takes one object of parameters and returns `{result}` or `{error}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiwisper.api.registry import Registry


def _method(registry: Registry, name: str) -> Callable[..., dict[str, Any]]:
    def call(params: dict[str, Any] | None = None) -> dict[str, Any]:
        return registry.call(name, params or {})

    call.__name__ = name.rpartition(".")[2]
    call.__doc__ = registry.commands[name].help
    return call


def make_js_api(registry: Registry) -> Any:
    """An object whose attributes are namespaces (classes pywebview walks) of command methods."""
    namespaces: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for name in registry.commands:
        ns, _, method = name.rpartition(".")
        (namespaces.setdefault(ns, {}) if ns else top)[method] = staticmethod(_method(registry, name))
    attrs: dict[str, Any] = dict(top)
    for ns, methods in namespaces.items():
        attrs[ns] = type(f"{ns.title()}Api", (), methods)()
    return type("AiwisperApi", (), attrs)()
