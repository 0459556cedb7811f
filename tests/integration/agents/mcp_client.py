"""An MCP client for the tests: the SDK's own `ClientSession`, over streamable HTTP (with a
Bearer token) or stdio (`auteur mcp`)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from ..server_harness import AUTEUR


@asynccontextmanager
async def http_session(base_url: str, token: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as client:
        async with streamable_http_client(f"{base_url}/mcp", http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def stdio_session(workspace: Path, *args: str, env: dict[str, str] | None = None
                        ) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=AUTEUR[0], args=[*AUTEUR[1:], "mcp", *args],
                                   env={**os.environ, "AUTEUR_WORKSPACE": str(workspace), **(env or {})})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


def ffmpeg_reading(folder: Path) -> list[int]:
    """Live ffmpeg processes whose command line names a file under `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv and argv[0].endswith(b"ffmpeg") and state != "Z" and any(str(folder).encode() in a for a in argv):
            found.append(int(entry.name))
    return found
