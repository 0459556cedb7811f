"""LangChain tools (`langchain-core`) over the same MCP tools: `langchain_tools(server_url, token)`.

Each tool is one MCP call to the server's `/mcp` with the agent's token, so a LangChain or
LangGraph agent gets exactly the MCP answers: the same tools listed for its maturity, the same
refusals in words, the same runs and audit lines. The grouped tools (`ffmpeg_edit`,
`spotify_control`, `sonos_control`) map each action to the node tool that does it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from langchain_core.tools import BaseTool
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from .grouped import GROUPED, resolve

READ_TIMEOUT_S = 3600.0  # a tool call waits for its run to end


@asynccontextmanager
async def mcp_session(server_url: str, token: str | None) -> AsyncIterator[ClientSession]:
    """An initialized MCP session with the server, as the token's agent."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=READ_TIMEOUT_S)) as client,
        streamable_http_client(f"{server_url.rstrip('/')}/mcp", http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


class AuteurTool(BaseTool):
    """One Auteur tool; answers the MCP result's JSON (an error's message when refused or failed)."""

    server_url: str
    token: str | None = None
    target: str = ""  # the MCP tool it calls (grouped tools resolve their action first)
    grouped: bool = False

    async def _arun(self, **arguments: Any) -> str:
        name, arguments = resolve(self.name, arguments) if self.grouped else (self.target, arguments)
        async with mcp_session(self.server_url, self.token) as session:
            result = await session.call_tool(name, {k: v for k, v in arguments.items() if v is not None})
        if result.structured_content is not None:
            return json.dumps(result.structured_content, ensure_ascii=False)
        return "\n".join(getattr(item, "text", "") for item in result.content)

    def _run(self, **arguments: Any) -> str:
        return asyncio.run(self._arun(**arguments))


async def alangchain_tools(server_url: str, token: str | None) -> list[BaseTool]:
    """The token's tools, as the server lists them over MCP, then the grouped tools."""
    async with mcp_session(server_url, token) as session:
        listed = (await session.list_tools()).tools
    tools: list[BaseTool] = [
        AuteurTool(name=tool.name, description=tool.description or tool.name, args_schema=dict(tool.input_schema),
                   server_url=server_url, token=token, target=tool.name)
        for tool in listed]
    tools += [AuteurTool(name=tool.name, description=tool.description, args_schema=tool.input_schema,
                         server_url=server_url, token=token, target=tool.name, grouped=True)
              for tool in GROUPED]
    return tools


def langchain_tools(server_url: str, token: str | None) -> list[BaseTool]:
    """`alangchain_tools` for code without an event loop running."""
    return asyncio.run(alangchain_tools(server_url, token))
