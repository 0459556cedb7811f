"""FastAPI dependencies shared by every router (signatures are a contract; keep them stable).

FastAPI runs a plain `def` dependency in the thread pool: two hand-offs to a thread and back for
every request, which under 50 concurrent clients cost more than the submit itself. The app
therefore serves `get_services` and `get_principal` through their `async` twins below
(`ON_LOOP`, installed as `dependency_overrides` by `create_app`); both only read memory and
stat `tokens.json`, so they are safe on the loop. Called directly (the WebSocket handlers),
they stay plain functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.requests import HTTPConnection

from ..governance import Principal
from .services import AppServices


def get_services(request: HTTPConnection) -> AppServices:
    """The app's services (works for HTTP requests and WebSocket connections)."""
    services: AppServices = request.app.state.services
    return services


def get_principal(request: HTTPConnection) -> Principal:
    """The caller, from `Authorization: Bearer`; raises `unauthorized` (401) when a token is
    required and missing or unknown. WebSocket clients may also pass `?token=`."""
    header = request.headers.get("authorization")
    if header is None and request.scope["type"] == "websocket" and "token" in request.query_params:
        header = f"Bearer {request.query_params['token']}"
    return get_services(request).auth.principal(header)


async def services_on_loop(request: HTTPConnection) -> AppServices:
    return get_services(request)


async def principal_on_loop(request: HTTPConnection) -> Principal:
    return get_principal(request)


ON_LOOP: dict[Callable[..., Any], Callable[..., Any]] = {
    get_services: services_on_loop,
    get_principal: principal_on_loop,
}

__all__ = ["ON_LOOP", "Request", "get_principal", "get_services"]
