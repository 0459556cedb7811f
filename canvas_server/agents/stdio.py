"""`auteur mcp` over stdio, for desktop agent hosts.

By default it relays the host's messages to a running server's `/mcp` with the agent's token
(the server decides everything: tools, maturity, audit), so stdio and HTTP give the same
answers. With `--local` it serves the workspace itself, as the local user (no server running;
the workspace lock refuses a second owner), from the same MCP server.
"""

from __future__ import annotations

import anyio
import httpx2
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server

from ..governance import LOCAL_PRINCIPAL, Principal
from ..server.lifecycle import Lifecycle
from ..server.services import AppServices
from ..settings import Settings
from .mcp_server import Context, build_server

MCP_READ_TIMEOUT_S = 3600.0  # a tool call waits for its run to end


async def relay(server_url: str, token: str | None) -> None:
    """Copy messages both ways between stdio and the server's streamable-HTTP endpoint."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        stdio_server() as (host_read, host_write),
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=MCP_READ_TIMEOUT_S)) as client,
        streamable_http_client(f"{server_url.rstrip('/')}/mcp", http_client=client) as (server_read, server_write),
        anyio.create_task_group() as group,
    ):
        async def upstream() -> None:
            async for message in host_read:
                if not isinstance(message, Exception):
                    await server_write.send(message)
            group.cancel_scope.cancel()  # the host closed stdin: done

        async def downstream() -> None:
            async for message in server_read:
                if not isinstance(message, Exception):
                    await host_write.send(message)

        group.start_soon(upstream)
        group.start_soon(downstream)


async def serve_local(settings: Settings) -> None:
    """The workspace's own services in this process, the caller the local user."""
    lifecycle = Lifecycle(settings)
    async with lifecycle.running() as services:
        base = f"http://{settings.host}:{settings.port}"

        async def local_caller(_ctx: Context) -> tuple[AppServices, Principal, str]:
            return services, LOCAL_PRINCIPAL, base

        server = build_server(local_caller)
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())


__all__ = ["Context", "relay", "serve_local"]
