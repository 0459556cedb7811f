"""Event latency across replicas (issue 25, target p99 < 50 ms): from the moment a node's
event is published on one replica to the moment a WebSocket client of another replica has it.

Replica B is a real `auteur serve` with `AUTEUR_EVENTS_URL` on a real `redis-server`; a client
on B follows a run submitted there. Replica A is an event bus with its Redis relay in a process
of its own (two `auteur serve` replicas need the PostgreSQL store to share runs), publishing
`node_progress` events of that run, each stamped with its publish time (`ts`). The baseline, in
the same session: the node events of a run executed on B itself, to B's client (no Redis)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import redis
import websockets

from .serving import free_port, start_auteur, stop

EVENTS = 1000
INTERVAL_S = 0.002
CHAIN = 150  # nodes of the same-replica baseline run (a started and a completed event each)
TARGET_P99_MS = 50.0


class _Numbers:
    """Replica A's event store: numbers far above B's (a shared store would hand out both)."""

    def __init__(self) -> None:
        self._seq = 10**9

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def last_seq(self) -> int:
        return self._seq

    def append(self, event: Any) -> None:
        return None

    def after(self, seq: int, limit: int = 50_000) -> list[Any]:
        return []

    def has_run(self, run_id: str) -> bool:
        return False

    def recent(self, limit: int) -> list[Any]:
        return []

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def _replica_a(url: str, run_id: str, owner: str, ready: Any, go: Any) -> None:
    from canvas_server.server.bus import EventBus
    from canvas_server.server.relay import RedisRelay

    bus = EventBus(log=_Numbers())
    relay = RedisRelay(url, lambda event: None)
    relay.start()
    bus.relay_to(relay)
    ready.set()
    go.wait()
    for number in range(EVENTS):
        bus.publish("node_progress", {"node_id": "1", "progress": number / EVENTS}, run_id=run_id, owner=owner)
        time.sleep(INTERVAL_S)
    time.sleep(0.5)  # let the publisher thread drain
    relay.close()


def _start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
                                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.RedisError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def _chain(length: int) -> dict[str, Any]:
    graph: dict[str, Any] = {"0": {"class_type": "core.integer", "inputs": {"value": 1}}}
    for index in range(1, length):
        graph[str(index)] = {"class_type": "core.add", "inputs": {"a": [str(index - 1), 0], "b": 1}}
    graph[str(length)] = {"class_type": "core.show", "inputs": {"value": [str(length - 1), 0]}}
    return graph


async def _latencies(ws: Any, count: int, wanted: set[str], run_id: str) -> list[float]:
    """Milliseconds from each wanted event's publish time to its arrival here."""
    samples: list[float] = []
    async with asyncio.timeout(120):
        while len(samples) < count:
            event = json.loads(await ws.recv())
            if event["type"] in wanted and event.get("run_id") == run_id:
                samples.append((time.time() - event["ts"]) * 1000)
    return samples


async def _measure(base: str, port: int, redis_url: str) -> tuple[list[float], list[float]]:
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws?client_id=bench") as ws, \
            httpx.AsyncClient(base_url=base, timeout=60) as http:
        answer = await http.post("/api/runs", json={"graph": _chain(CHAIN), "client_id": "bench"})
        run_id = answer.json()["run_id"]
        local = await _latencies(ws, 2 * CHAIN, {"node_started", "node_completed"}, run_id)
        owner = (await http.get(f"/api/runs/{run_id}")).json().get("principal")
        context = multiprocessing.get_context("spawn")
        ready, go = context.Event(), context.Event()
        replica = context.Process(target=_replica_a, args=(redis_url, run_id, owner, ready, go))
        replica.start()
        await asyncio.to_thread(ready.wait, 60)
        go.set()
        across = await _latencies(ws, EVENTS, {"node_progress"}, run_id)
        await asyncio.to_thread(replica.join, 30)
        return local, across


def _summary(label: str, samples: list[float]) -> float:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label:52s} n={len(samples):5d} p50 {statistics.median(ordered):6.2f} ms  p99 {p99:6.2f} ms  "
          f"max {ordered[-1]:6.2f} ms")
    return p99


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        redis_process, redis_url = _start_redis(Path(folder))
        workspace = Path(folder) / "ws"
        workspace.mkdir()
        port = free_port()
        server = start_auteur(workspace, port, {"AUTEUR_EVENTS_URL": redis_url})
        try:
            local, across = asyncio.run(_measure(f"http://127.0.0.1:{port}", port, redis_url))
        finally:
            stop(server)
            redis_process.kill()
            redis_process.wait(timeout=10)
    _summary(f"node events of a {CHAIN}-node inline run -> client (same replica)", local)
    p99 = _summary("node event on A -> Redis -> client of B", across)
    print(f"cross-replica p99 {p99:.2f} ms: {'meets' if p99 < TARGET_P99_MS else 'misses'} the {TARGET_P99_MS:.0f} ms target")


if __name__ == "__main__":
    main()
