"""FastAPI dependencies shared by every router (signatures are a contract; keep them stable).

They are `async` on purpose: FastAPI runs a plain `def` dependency in the thread pool, two
hand-offs to a thread and back for every request, which under 50 concurrent clients cost more
than the submit itself. The token read they need goes through `off_loop` (a thread when the
tokens are in PostgreSQL; in place for `tokens.json`, which is memory and a stat). WebSocket
handlers and the MCP endpoint, which resolve the caller themselves, use `services_of` and
`principal_of`, the same authentication.
"""

from __future__ import annotations

from fastapi import Request
from starlette.requests import HTTPConnection

from ..governance import Principal
from ..runs.storage import off_loop
from .lifecycle import Lifecycle
from .services import AppServices


def services_of(connection: HTTPConnection) -> AppServices:
    """The app's started services (HTTP requests and WebSocket connections alike); both apps
    reach the same ones through their shared `Lifecycle`."""
    lifecycle: Lifecycle = connection.app.state.lifecycle
    return lifecycle.services


# A browser cannot set headers on a WebSocket: it offers the token as a subprotocol instead.
BEARER_SUBPROTOCOL = "auteur.bearer."
PLAIN_SUBPROTOCOL = "auteur"


def offered_subprotocols(connection: HTTPConnection) -> list[str]:
    header = connection.headers.get("sec-websocket-protocol", "")
    return [item.strip() for item in header.split(",") if item.strip()]


def accepted_subprotocol(connection: HTTPConnection) -> str | None:
    """The subprotocol a WebSocket is accepted with: `auteur` when offered beside the token (so
    the token is not echoed), else the token's own entry (a browser fails a handshake that does
    not answer one of the protocols it offered)."""
    offered = offered_subprotocols(connection)
    if PLAIN_SUBPROTOCOL in offered:
        return PLAIN_SUBPROTOCOL
    return next((item for item in offered if item.startswith(BEARER_SUBPROTOCOL)), None)


async def principal_of(connection: HTTPConnection) -> Principal:
    """The caller, from `Authorization: Bearer`; raises `unauthorized` (401) when a token is
    required and missing or unknown. WebSocket clients may instead offer the subprotocol
    `auteur.bearer.<token>` (browsers) or pass `?token=` (redacted from the logs)."""
    return await authenticate(services_of(connection), authorization_of(connection))


async def authenticate(services: AppServices, authorization: str | None) -> Principal:
    """The principal of an `Authorization` value, the token read off the event loop when the
    tokens are shared (in PostgreSQL with the run store: `off_loop`), so a slow database never
    holds every request."""
    return await off_loop(services.runs.store.shared, services.auth.principal, authorization)


def authorization_of(connection: HTTPConnection) -> str | None:
    """The `Authorization` value the caller sent, or made from a WebSocket's token (bearer
    subprotocol, then `?token=`); None when it carries no token at all."""
    header = connection.headers.get("authorization")
    if header is None and connection.scope["type"] == "websocket":
        offered = [item[len(BEARER_SUBPROTOCOL):] for item in offered_subprotocols(connection)
                   if item.startswith(BEARER_SUBPROTOCOL)]
        if offered:
            header = f"Bearer {offered[0]}"
        elif "token" in connection.query_params:
            header = f"Bearer {connection.query_params['token']}"
    return header


async def get_services(request: HTTPConnection) -> AppServices:
    return services_of(request)


async def get_principal(request: HTTPConnection) -> Principal:
    """The caller of an HTTP route (`principal_of`)."""
    return await principal_of(request)


__all__ = ["Request", "accepted_subprotocol", "authenticate", "authorization_of", "get_principal", "get_services", "principal_of", "services_of"]
