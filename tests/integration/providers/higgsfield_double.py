"""A local double of Higgsfield's HTTP API, as its official client (`higgsfield-client` 0.2.0)
calls it: submit to `/{application}`, poll `/requests/{id}/status`, cancel `/requests/{id}/cancel`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .suno_double import Seen

Answer = tuple[int, Any]


@dataclass
class HiggsfieldDouble:
    base_url: str = ""
    statuses: list[Answer] = field(default_factory=list)
    clip: bytes = b""
    status_url: str | None = None  # what the submit answer names (None: this double's own)
    seen: list[Seen] = field(default_factory=list)
    submitted: int = 0

    def of(self, path: str) -> list[Seen]:
        return [item for item in self.seen if item.path == path]

    def completed(self) -> Answer:
        return 200, {"status": "completed", "video": {"url": f"{self.base_url}/media/clip.mp4"}}


def serve(double: HiggsfieldDouble) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any, raw: bytes | None = None) -> None:
            data = raw if raw is not None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _see(self, body: Any) -> str:
            double.seen.append(Seen(self.command, self.path, {}, self.headers.get("Authorization"), body))
            return self.path

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            path = self._see(json.loads(self.rfile.read(length) or b"null"))
            if path.startswith("/requests/") and path.endswith("/cancel"):
                return self._answer(202, {"status": "canceled"})
            double.submitted += 1  # req-1, req-2, …: one per submission
            own = f"{double.base_url}/requests/req-{double.submitted}"
            return self._answer(200, {"request_id": f"req-{double.submitted}",
                                      "status_url": double.status_url or f"{own}/status", "cancel_url": f"{own}/cancel"})

        def do_GET(self) -> None:
            path = self._see(None)
            if path.startswith("/requests/") and path.endswith("/status"):
                status, body = double.statuses.pop(0) if len(double.statuses) > 1 else double.statuses[0]
                return self._answer(status, body)
            if path == "/media/clip.mp4":
                return self._answer(200, None, raw=double.clip)
            return self._answer(404, {"detail": "not found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    double.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    return server
