"""FastAPI dependencies shared by every router (signatures are a contract; keep them stable).

They are `async` on purpose: FastAPI runs a plain `def` dependency in the thread pool, two
hand-offs to a thread and back for every request, which under 50 concurrent clients cost more
than the submit itself. Both only read memory and stat `tokens.json`, so they are safe on the
loop. WebSocket handlers, which resolve the caller themselves, use `services_of` and
`principal_of`.
"""

from __future__ import annotations

from fastapi import Request
from starlette.requests import HTTPConnection

from ..governance import Principal
from .lifecycle import Lifecycle
from .services import AppServices


def services_of(connection: HTTPConnection) -> AppServices:
    """The app's started services (HTTP requests and WebSocket connections alike); both apps
    reach the same ones through their shared `Lifecycle`."""
    lifecycle: Lifecycle = connection.app.state.lifecycle
    return lifecycle.services


def principal_of(connection: HTTPConnection) -> Principal:
    """The caller, from `Authorization: Bearer`; raises `unauthorized` (401) when a token is
    required and missing or unknown. WebSocket clients may also pass `?token=`."""
    header = connection.headers.get("authorization")
    if header is None and connection.scope["type"] == "websocket" and "token" in connection.query_params:
        header = f"Bearer {connection.query_params['token']}"
    return services_of(connection).auth.principal(header)


async def get_services(request: HTTPConnection) -> AppServices:
    return services_of(request)


async def get_principal(request: HTTPConnection) -> Principal:
    return principal_of(request)


__all__ = ["Request", "get_principal", "get_services", "principal_of", "services_of"]
