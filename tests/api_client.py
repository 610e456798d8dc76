"""A client of the real local server, as the browser UI talks to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import simple_websocket

from aiwisper.api.server import LocalServer
from aiwisper.errors import HTTP_STATUS
from aiwisper.models.registry import ModelRegistry
from aiwisper.services import Services
from aiwisper.settings import Settings

from .pipeline import Replay
from .shapes import check_event, check_result


class Client:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.base = f"http://127.0.0.1:{server.port}"
        self.headers = {"X-AIWisper-Token": server.token}

    def call(self, name: str, /, **params: Any) -> dict[str, Any]:
        r = requests.post(f"{self.base}/api/commands/{name}", json=params, headers=self.headers, timeout=60)
        body: dict[str, Any] = r.json()
        # A result is a 200; an error keeps its JSON body and has the status of its code.
        expected = HTTP_STATUS[body["error"]["code"]] if "error" in body else 200
        assert r.status_code == expected, (r.status_code, r.text)
        return body

    def ok(self, name: str, /, **params: Any) -> Any:
        body = self.call(name, **params)
        assert "result" in body, body
        check_result(name, body["result"])  # exactly the shape the generated TypeScript promises the UI
        return body["result"]

    def error(self, name: str, code: str, /, **params: Any) -> str:
        body = self.call(name, **params)
        assert body.get("error", {}).get("code") == code, body
        message: str = body["error"]["message"]
        assert "Traceback" not in message
        return message

    def ws(self) -> simple_websocket.Client:
        ws = simple_websocket.Client.connect(f"ws://127.0.0.1:{self.server.port}/ws?token={self.server.token}")
        # simple-websocket 1.1.0's handshake reads the server's 101 answer together with whatever follows it in the
        # same read, but handles only the handshake: our snapshot, sent right after the upgrade, then waits in the
        # protocol buffer for the next packet, which on an idle connection never comes. Handle what is buffered.
        ws._handle_events()
        return ws


def receive(ws: simple_websocket.Client, timeout: float = 1.0) -> dict[str, Any] | None:
    msg = ws.receive(timeout=timeout)
    if msg is None:
        return None
    event: dict[str, Any] = json.loads(msg)
    check_event(event)
    return event


@contextmanager
def running(data_dir: Path, registry: ModelRegistry, factory: Replay | None = None,
            settings: Settings | None = None) -> Iterator[tuple[Client, Services]]:  # fmt: skip
    kwargs = {"source_factory": factory} if factory is not None else {}
    services = Services(data_dir, settings or Settings(), registry=registry, **kwargs)  # type: ignore[arg-type]
    server = LocalServer(services)
    try:
        yield Client(server), services
    finally:
        server.close()
        services.close()
