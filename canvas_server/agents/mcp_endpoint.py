"""`/mcp` on the main app: the MCP SDK (half a second of imports) loads on the first request
to it, never on the server's start-up path; its session manager then runs until the server's
lifespan ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from nodes.sdk import AuteurError

from ..server.deps import principal_of
from ..server.errors import send_error, status_for

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager


class McpEndpoint:
    """The SDK's streamable-HTTP transport behind our token check (401 in the one error shape
    before any MCP message is read); the browser boundary, body limit and readiness gate sit
    in front."""

    def __init__(self) -> None:
        self._manager: StreamableHTTPSessionManager | None = None
        self._starting: asyncio.Lock | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The lifespan: requests may start the manager while it lasts; it stops with it."""
        self._starting, self._stop = asyncio.Lock(), asyncio.Event()
        try:
            yield
        finally:
            self._stop.set()
            if self._task is not None:
                await self._task
            self._manager = self._task = self._starting = self._stop = None

    async def _started(self) -> StreamableHTTPSessionManager | None:
        if self._manager is not None or self._starting is None:
            return self._manager
        async with self._starting:
            if self._manager is None and self._stop is not None and not self._stop.is_set():
                from .mcp_server import session_manager  # the SDK: first use only

                manager, ready, stop = session_manager(), asyncio.Event(), self._stop

                async def serve() -> None:
                    async with manager.run():
                        self._manager = manager
                        ready.set()
                        await stop.wait()

                self._task = asyncio.create_task(serve(), name="mcp-sessions")
                await ready.wait()
        return self._manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await principal_of(Request(scope))
        except AuteurError as exc:
            await send_error(send, status_for(exc.code), exc.code, exc.message, exc.details)
            return
        manager = await self._started()
        if manager is None:
            await send_error(send, 503, "unavailable", "the MCP endpoint is not running")
            return
        await manager.handle_request(scope, receive, send)
