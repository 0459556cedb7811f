"""Whether the server takes requests: `503 Service Unavailable` with `Retry-After` on every
request that arrives before the services are started or once shutdown has begun, on both
ports (the main app and the ComfyUI app share one `Readiness`).

A request that passed the gate while the server was ready runs to its end: shutdown waits
for it before the services stop, so no handler ever meets a half-started or stopped service.
"""

from __future__ import annotations

import json
from enum import StrEnum

from starlette.types import ASGIApp, Receive, Scope, Send

from nodes.sdk import AuteurError

from .errors import error_body

RETRY_AFTER_S = 1


class Phase(StrEnum):
    STARTING = "starting"
    READY = "ready"
    STOPPING = "stopping"


class ServiceUnavailableError(AuteurError):
    """The server is starting or stopping; try again in `RETRY_AFTER_S` seconds."""

    code = "service_unavailable"


class Readiness:
    """The server's phase, moved forward by the lifespan (and by the signal that stops it)."""

    def __init__(self) -> None:
        self.phase = Phase.STARTING

    @property
    def ready(self) -> bool:
        return self.phase is Phase.READY

    def error(self) -> ServiceUnavailableError:
        doing = "starting" if self.phase is Phase.STARTING else "shutting down"
        return ServiceUnavailableError(f"the server is {doing}; retry in {RETRY_AFTER_S} s",
                                       details={"phase": self.phase.value, "retry_after": RETRY_AFTER_S})


class ReadinessGate:
    """ASGI middleware: lets requests through only while the server is ready."""

    def __init__(self, app: ASGIApp, readiness: Readiness) -> None:
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or self.readiness.ready:
            await self.app(scope, receive, send)
            return
        error = self.readiness.error()
        body = json.dumps(error_body(error.code, error.message, error.details)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"retry-after", str(RETRY_AFTER_S).encode())]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", "status": 503, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:  # a server without the denial-response extension: 1013 is "try again later"
            await send({"type": "websocket.close", "code": 1013, "reason": error.message})
