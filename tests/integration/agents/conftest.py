"""One real `auteur serve` for the agent tests, with a token per maturity and a project holding
two real clips (ffmpeg): a short screencast and a long one to cancel."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from canvas_server.workspace.store import ProjectStore

from ..server_harness import ServerProcess, make_token, running_server
from .mcp_client import http_session

PROJECT = "agentfilm"


def _clip(path: Path, seconds: int, size: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
                   check=True, timeout=120)


@pytest.fixture(scope="package")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agents")


@pytest.fixture(scope="package")
def tokens(workspace: Path) -> dict[str, str]:
    return {level: make_token(workspace, f"agent-{level.lower()}", maturity=level)
            for level in ("STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS")}


@pytest.fixture(scope="package")
def server(workspace: Path, tokens: dict[str, str]) -> Iterator[ServerProcess]:
    with running_server(workspace) as server:
        created = httpx.post(f"{server.url}/api/projects", json={"name": PROJECT},
                             headers={"Authorization": f"Bearer {tokens['AUTONOMOUS']}"}, timeout=30)
        assert created.status_code == 201, created.text
        root = ProjectStore(workspace).root(PROJECT)
        _clip(root / "screencast.mp4", 6, "320x240")
        _clip(root / "long.mp4", 60, "640x360")
        yield server


def call(server: ServerProcess, token: str, tool: str, arguments: dict[str, Any],
          progress: list[float] | None = None) -> Any:
    async def call() -> Any:
        async with http_session(server.url, token) as session:
            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                if progress is not None:
                    progress.append(value)
            return await session.call_tool(tool, arguments, progress_callback=on_progress)
    return asyncio.run(call())


