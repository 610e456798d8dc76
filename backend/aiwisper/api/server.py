"""The local HTTP server: commands, session audio and exports, uploads, the event WebSocket, the UI.

Any web page on the machine could try to reach it, so every request must carry
the per-launch token, name our own Host (no DNS rebinding) and, when it has an
Origin, come from our own pages.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, request, send_from_directory
from flask_sock import Sock
from werkzeug.serving import BaseWSGIServer, make_server

from aiwisper import paths
from aiwisper.api.commands import build_registry, export_bytes
from aiwisper.api.hub import Hub, Snapshot
from aiwisper.api.registry import Registry
from aiwisper.errors import HTTP_STATUS, AiwisperError
from aiwisper.services import Services
from aiwisper.sessions import library, store

log = logging.getLogger(__name__)
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
MAX_BODY = 1 << 20  # command bodies
MAX_UPLOAD = 4 << 30  # one uploaded file
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ui_dir() -> Path:
    return paths.resource_dir() / "ui" / "dist"


def create_app(services: Services, token: str) -> Flask:
    """The Flask app for one launch; `app.config["PORT"]` must be set once the port is known."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD
    app.config["PORT"] = 0
    registry = build_registry(services)
    hub = Hub(services.bus, lambda: _snapshot(services))
    app.extensions["aiwisper"] = {"registry": registry, "hub": hub, "services": services}
    _guard(app, token)
    _command_route(app, registry)
    _session_files(app, services, registry)
    _event_socket(app, hub)
    _ui_files(app)
    return app


def _guard(app: Flask, token: str) -> None:
    """Only this machine's loopback, with the launch's token, gets past; errors are JSON with a stable code."""

    @app.before_request
    def guard() -> None:
        port = app.config["PORT"]
        # Only loopback names pass: a rebinding attack brings its own domain name as Host.
        if request.host not in (f"127.0.0.1:{port}", f"localhost:{port}", "127.0.0.1", "localhost"):
            abort(403, "foreign Host")
        origin = request.headers.get("Origin")
        if origin is not None and origin not in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
            abort(403, "foreign Origin")
        if request.path == "/" or request.path.startswith("/assets/") or request.path == "/favicon.svg":
            return  # the UI's static files; the token comes in the page URL
        given = request.headers.get("X-AIWisper-Token") or request.args.get("token") or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(401, "missing or wrong token")
        if request.path.startswith("/api/commands/") and (request.content_length or 0) > MAX_BODY:
            abort(413, "request body too large")

    @app.errorhandler(400)
    @app.errorhandler(401)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(416)
    def http_error(e: Any) -> tuple[Response, int]:
        code = {404: "not_found", 413: "too_large", 416: "invalid_argument"}.get(e.code, "forbidden")
        return jsonify(error={"code": code, "message": e.description}), e.code

    @app.errorhandler(500)
    def server_error(e: Any) -> tuple[Response, int]:
        return jsonify(error={"code": "failed", "message": "internal error; see the log"}), 500


def _command_route(app: Flask, registry: Registry) -> None:
    @app.post("/api/commands/<name>")
    def command(name: str) -> Response:
        body = request.get_json(silent=True, force=True) if request.content_length else {}
        if body is None:
            return jsonify(error={"code": "invalid_argument", "message": "the body is not JSON"}), 400  # type: ignore[return-value]
        return _answer(registry.call(name, body))


def _session_files(app: Flask, services: Services, registry: Registry) -> None:
    """A session's audio (with ranges, for the player), its export, and uploads (browser mode's imports)."""

    def session_file(session_id: str) -> Path:
        sid = library.check_session_id(session_id)
        session = services.db.read(lambda c: store.get_session(c, sid))
        root = (services.data_dir / "sessions").resolve()
        path = (services.data_dir / session.audio_file).resolve()
        if root not in path.parents:
            abort(404, "no such file")
        return path

    @app.get("/api/sessions/<session_id>/audio")
    def audio(session_id: str) -> Response:
        try:
            path = session_file(session_id)
        except AiwisperError as e:
            abort(404, str(e))
        if not path.is_file():
            abort(404, "the audio file is missing")
        return _ranged(path)

    @app.get("/api/sessions/<session_id>/export")
    def download(session_id: str) -> Response:
        try:
            data, mime, name = export_bytes(services, session_id, request.args.get("format", "txt"))
        except AiwisperError as e:
            return _answer({"error": {"code": e.code, "message": str(e)}})
        return Response(data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/api/files")
    def upload() -> Response:
        """Browser mode: the file is stored in a temp folder, then imported like a local file."""
        f = request.files.get("file")
        if f is None or not f.filename:
            return jsonify(error={"code": "invalid_argument", "message": "no file in the upload"}), 400  # type: ignore[return-value]
        name = Path(f.filename).name or "upload"
        folder = Path(tempfile.mkdtemp(prefix="aiwisper-upload-", dir=services.data_dir))
        target = folder / name
        f.save(target)
        return _answer(registry.call("files.import", {"paths": [str(target)]}))


def _event_socket(app: Flask, hub: Hub) -> None:
    """The events, on one WebSocket per window: a snapshot first, then everything published."""
    sock = Sock(app)

    @sock.route("/ws")  # type: ignore[untyped-decorator]
    def events(ws: Any) -> None:
        client, snapshot = hub.connect()
        try:
            ws.send(snapshot)
            while True:
                msg = client.next(timeout=1.0)
                if msg is None:
                    ws.close(reason=1008, message=client.closed_reason or "closing")
                    return
                if msg:
                    ws.send(msg)
                elif not ws.connected:
                    return
        except Exception:  # the client went away
            return
        finally:
            hub.disconnect(client)


def _ui_files(app: Flask) -> None:
    @app.get("/")
    def index() -> Response:
        folder = ui_dir()
        if not (folder / "index.html").is_file():
            page = "<!doctype html><title>AIWisper</title><p>The UI is not built: run <code>make setup</code>."
            return Response(page, mimetype="text/html")
        return send_from_directory(folder, "index.html")

    @app.get("/assets/<path:name>")
    def assets(name: str) -> Response:
        return send_from_directory(ui_dir() / "assets", name)


def _snapshot(services: Services) -> Snapshot:
    sid = services.recorder.session_id
    session = services.db.read(lambda c: library.get_session(c, sid)) if sid else None
    jobs = [j.event() for j in services.transcriber.jobs()] if services.transcriber else []
    return Snapshot(session, services.recorder.state.value, jobs)


def _ranged(path: Path) -> Response:
    """The file, or the byte range asked for (206); a WAV being recorded is served up to its last flush."""
    size = path.stat().st_size
    header = request.headers.get("Range")
    start, end = 0, size - 1
    status = 200
    if header:
        m = _RANGE.match(header.strip())
        if not m or (not m.group(1) and not m.group(2)):
            abort(416, "malformed Range")
        if m.group(1):
            start = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else size - 1
        else:
            start = max(0, size - int(m.group(2)))
        end = min(end, size - 1)
        if start > end or start >= size:
            resp = Response(status=416)
            resp.headers["Content-Range"] = f"bytes */{size}"
            return resp
        status = 206
    length = end - start + 1

    def stream() -> Any:
        with path.open("rb") as f:
            f.seek(start)
            left = length
            while left > 0:
                chunk = f.read(min(1 << 16, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    resp = Response(stream(), status=status, mimetype="audio/wav", direct_passthrough=True)
    resp.headers["Accept-Ranges"] = "bytes"
    resp.headers["Content-Length"] = str(length)
    if status == 206:
        resp.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return resp


class LocalServer:
    """The werkzeug server in a thread this object owns; `close()` shuts it down (idempotent)."""

    def __init__(self, services: Services, port: int = 0, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self.app = create_app(services, self.token)
        self._server: BaseWSGIServer | None = make_server("127.0.0.1", port, self.app, threaded=True)
        self.port = self._server.server_port
        self.app.config["PORT"] = self.port
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.app.extensions["aiwisper"]["hub"].close()
        server.shutdown()
        server.server_close()
        self._thread.join(10)


def _answer(reply: dict[str, Any]) -> Response:
    """A command's reply as JSON, with the HTTP status of its error code (200 for a result)."""
    response = jsonify(reply)
    if "error" in reply:
        response.status_code = HTTP_STATUS.get(reply["error"]["code"], 500)
    return response
