"""FastAPI dependencies shared by every router (signatures are a contract; keep them stable)."""

from __future__ import annotations

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


__all__ = ["Request", "get_principal", "get_services"]
