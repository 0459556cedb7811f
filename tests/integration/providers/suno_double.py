"""A local double of the common third-party Suno API: records every request, answers from
queues the test fills, serves the tracks' audio."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    body: Any


@dataclass
class SunoDouble:
    base_url: str = ""
    submits: list[Answer] = field(default_factory=list)
    polls: list[Answer] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def of(self, path: str) -> list[Seen]:
        return [item for item in self.seen if item.path == path]

    def record(self, status: str, tracks: list[str] | None = None) -> Answer:
        """A record-info answer in `status`, with a track per served file name."""
        data: dict[str, Any] = {"taskId": "task-1", "status": status, "errorMessage": None}
        if tracks is not None:
            data["response"] = {"sunoData": [
                {"id": f"track-{name}", "audioUrl": f"{self.base_url}/audio/{name}", "title": name, "duration": 8.0}
                for name in tracks]}
        return 200, {"code": 200, "msg": "success", "data": data}


def serve(double: SunoDouble) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any, raw: bytes | None = None) -> None:
            data = raw if raw is not None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _see(self, body: Any) -> str:
            parts = urlsplit(self.path)
            double.seen.append(Seen(self.command, parts.path, parse_qs(parts.query),
                                    self.headers.get("Authorization"), body))
            return parts.path

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            path = self._see(json.loads(self.rfile.read(length) or b"null"))
            if path == "/api/v1/generate":
                status, body = double.submits.pop(0) if double.submits else (
                    200, {"code": 200, "msg": "success", "data": {"taskId": "task-1"}})
                return self._answer(status, body)
            return self._answer(404, {"code": 404, "msg": "no such route"})

        def do_GET(self) -> None:
            path = self._see(None)
            if path == "/api/v1/generate/record-info":
                status, body = double.polls.pop(0) if len(double.polls) > 1 else double.polls[0]
                return self._answer(status, body)
            if path.startswith("/audio/") and path.removeprefix("/audio/") in double.files:
                return self._answer(200, None, raw=double.files[path.removeprefix("/audio/")])
            return self._answer(404, {"code": 404, "msg": "no such route"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    double.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    return server
