"""Server benchmark: submit latency with 50 concurrent HTTP clients, and event latency from
a node's completion (its `finished_at` in the run record) to a WebSocket client receiving
`node_completed`. Runs a real `auteur serve` process in a temporary workspace."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from .serving import free_port, start_auteur, stop

CLIENTS = 50
RUNS_PER_CLIENT = 4
EVENT_RUNS = 40


def _graph(value: int) -> dict[str, Any]:
    return {
        "1": {"class_type": "core.integer", "inputs": {"value": value}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 1}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms (n={len(ordered)})"


async def _submit_latency(base: str) -> list[float]:
    latencies: list[float] = []

    async def client(index: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for run in range(RUNS_PER_CLIENT):
                started = time.perf_counter()
                response = await http.post("/api/runs", json={"graph": _graph(index * 1000 + run)})
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text

    await asyncio.gather(*(client(index) for index in range(CLIENTS)))
    return latencies


async def _event_latency(base: str, port: int) -> list[float]:
    """One run at a time, so the figure is the event path, not time spent queued."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http, websockets.connect(
        f"ws://127.0.0.1:{port}/ws?client_id=bench"
    ) as ws:
        await ws.recv()
        for index in range(EVENT_RUNS):
            response = await http.post("/api/runs", json={"graph": _graph(10**6 + index), "client_id": "bench"})
            run_id = response.json()["run_id"]
            received: dict[str, float] = {}
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "node_completed":
                    received[event["data"]["node_id"]] = time.time()
                elif event["type"] in ("run_completed", "run_failed") and event["run_id"] == run_id:
                    break
            record = (await http.get(f"/api/runs/{run_id}")).json()
            latencies.extend(
                max(0.0, received[node_id] - node["finished_at"])
                for node_id, node in record["nodes"].items()
                if node_id in received and node.get("finished_at")
            )
    return latencies


def _wait_idle(base: str) -> None:
    """Let the submitted runs finish so the event measurement sees an idle server."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        queue = httpx.get(f"{base}/api/health", timeout=10).json()["queue"]
        if not queue.get("queued") and not queue.get("running"):
            return
        time.sleep(0.2)


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as workspace:
        process = start_auteur(Path(workspace), port, {"AUTEUR_RUNNER_WORKERS": "2", "AUTEUR_CONCURRENT_RUNS": "4"})
        try:
            base = f"http://127.0.0.1:{port}"
            submit = asyncio.run(_submit_latency(base))
            print(f"submit latency, {CLIENTS} concurrent clients x {RUNS_PER_CLIENT}: {_percentiles(submit)}")
            _wait_idle(base)
            events = asyncio.run(_event_latency(base, port))
            print(f"event latency, node completion -> WebSocket client: {_percentiles(events)}")
        finally:
            stop(process)


if __name__ == "__main__":
    main()
