"""Agents benchmark (issue 21): the same small run through an MCP tool call (`run_graph`,
waiting for the end, one open ClientSession over streamable HTTP) and through `POST
/api/runs` followed by the WebSocket's `run_completed`, against one real `auteur serve`.
Prints both medians and their ratio (target: MCP within 1.2× the HTTP path), and the same for
the call alone (`POST /api/runs` against the tool call with `wait: false`). Both paths use the
same HTTP client library (httpx2, the MCP SDK's), so neither figure carries the other client's
socket habits."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
import websockets

from canvas_server.agents.langchain_tools import mcp_session

from .serving import free_port, start_auteur, stop

RUNS = 30
TARGET_RATIO = 1.2


def _graph(value: int) -> dict[str, Any]:
    return {
        "1": {"class_type": "core.integer", "inputs": {"value": value}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 1}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


async def _over_http(base: str, port: int, values: range) -> list[float]:
    samples = []
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http, websockets.connect(
            f"ws://127.0.0.1:{port}/ws?client_id=bench-agents") as ws:
        for value in values:
            started = time.perf_counter()
            answer = await http.post("/api/runs", json={"graph": _graph(value), "client_id": "bench-agents"})
            run_id = answer.json()["run_id"]
            while True:
                event = json.loads(await ws.recv())
                if event.get("run_id") == run_id and event["type"] in ("run_completed", "run_failed"):
                    break
            samples.append(time.perf_counter() - started)
    return samples


async def _over_mcp(base: str, values: range) -> list[float]:
    samples = []
    async with mcp_session(base, None) as session:
        for value in values:
            started = time.perf_counter()
            result = await session.call_tool("run_graph", {"graph": _graph(value)})
            assert result.structured_content and result.structured_content["status"] == "completed", result
            samples.append(time.perf_counter() - started)
    return samples


async def _submit_only(base: str, values: range) -> tuple[list[float], list[float]]:
    """The call alone: `POST /api/runs` against the tool call with `wait: false` (both queue)."""
    posts, calls = [], []
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http, mcp_session(base, None) as session:
        for value in values:
            started = time.perf_counter()
            assert (await http.post("/api/runs", json={"graph": _graph(value)})).status_code == 202
            posts.append(time.perf_counter() - started)
            started = time.perf_counter()
            await session.call_tool("run_graph", {"graph": _graph(-value), "wait": False})
            calls.append(time.perf_counter() - started)
    return posts, calls


async def _measure(base: str, port: int) -> dict[str, list[float]]:
    await _over_http(base, port, range(10_000, 10_005))  # warm both paths (imports, pools)
    await _over_mcp(base, range(20_000, 20_005))
    http_samples = await _over_http(base, port, range(RUNS))
    mcp_samples = await _over_mcp(base, range(1000, 1000 + RUNS))
    posts, calls = await _submit_only(base, range(3000, 3000 + RUNS))
    return {"http": http_samples, "mcp": mcp_samples, "post": posts, "call": calls}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        process = start_auteur(Path(tmp), port, {})
        try:
            samples = asyncio.run(_measure(f"http://127.0.0.1:{port}", port))
        finally:
            stop(process)
    median = {name: statistics.median(values) for name, values in samples.items()}
    _line("whole run", "POST /api/runs + WebSocket run_completed", median["http"],
          "MCP run_graph (waits for the end)", median["mcp"])
    _line("submit only", "POST /api/runs", median["post"], "MCP run_graph wait=false", median["call"])


def _line(what: str, http_name: str, http: float, mcp_name: str, mcp: float) -> None:
    ratio = mcp / http
    print(f"{what}: {http_name} median {http * 1000:.1f} ms; {mcp_name} median {mcp * 1000:.1f} ms (n={RUNS})")
    print(f"  MCP / HTTP: {ratio:.2f}x (target <= {TARGET_RATIO}x) {'OK' if ratio <= TARGET_RATIO else 'OVER'}")


if __name__ == "__main__":
    main()
