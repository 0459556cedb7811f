"""Events across two `auteur serve` replicas (issue 25, item 3): one PostgreSQL, one Redis, one
workspace. A WebSocket client of the replica that is not executing a run follows it live
through Redis, with the same numbers as a client of the executing replica; reconnecting to the
other replica with `last_seq` replays exactly what came after."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import NoResultFound

from ..celery_cluster import RedisServer
from ..server_harness import ServerProcess, collect_events, connect
from .test_two_replicas import executing_port, long_graph

ENDS = {"run_completed", "run_failed", "run_cancelled"}


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis").start()
    yield server.url
    server.stop()


def _graph() -> dict[str, Any]:
    graph = long_graph("followed")
    graph["2"]["inputs"]["seconds"] = 3.0  # long enough to subscribe on both replicas first
    return graph


def _claimed_by(url: str, run_id: str, timeout: float = 30.0) -> int:
    """The port of the replica that claimed the run, once one has."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return executing_port(url, run_id)
        except NoResultFound:
            assert time.monotonic() < deadline, f"no replica claimed {run_id}"
            time.sleep(0.05)


async def _subscribed(server: ServerProcess, client_id: str, run_id: str) -> tuple[Any, list[dict[str, Any]]]:
    """A client subscribed to the run, once the server has taken the subscription (a ping sent
    after it is answered after it: the connection's messages are handled in order), with the
    events that arrived meanwhile."""
    ws = await connect(server, client_id).__aenter__()
    await ws.send(json.dumps({"type": "subscribe", "runs": [run_id]}))
    await ws.send(json.dumps({"type": "ping"}))
    early, heartbeats = [], 0
    while heartbeats < 2:  # the one sent on connecting, then the ping's answer
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if message["type"] == "heartbeat":
            heartbeats += 1
        else:
            early.append(message)
    return ws, early


def test_a_client_of_either_replica_follows_a_run_live_and_replays_it_on_the_other(
        migrated_url: str, redis_url: str, tmp_path: Path) -> None:
    env = {"AUTEUR_DATABASE_URL": migrated_url, "AUTEUR_EVENTS_URL": redis_url, "AUTEUR_LEASE_S": "1.5"}
    with ExitStack() as stack:
        servers = [ServerProcess(tmp_path / "ws", env) for _ in range(2)]
        for server in servers:
            stack.callback(server.stop)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(ServerProcess.start, servers))
        with httpx.Client(base_url=servers[0].url, timeout=30) as client:
            run_id = client.post("/api/runs", json={"graph": _graph()}).json()["run_id"]
        executing = _claimed_by(migrated_url, run_id)
        [executor] = [server for server in servers if server.port == executing]
        [other] = [server for server in servers if server.port != executing]

        async def scenario() -> None:
            near, seen_near = await _subscribed(executor, "near", run_id)  # before the far one
            far, seen_far = await _subscribed(other, "far", run_id)
            try:
                seen_near += await collect_events(near, ENDS, run_id=run_id, timeout=60)
                seen_far += await collect_events(far, ENDS, run_id=run_id, timeout=60)
            finally:
                await near.close()
                await far.close()
            far_run = [(event["seq"], event["type"]) for event in seen_far if event.get("run_id") == run_id]
            near_run = [(event["seq"], event["type"]) for event in seen_near if event.get("run_id") == run_id]
            assert far_run[-1][1] == "run_completed" and ("node_completed" in {kind for _, kind in far_run})
            assert far_run == near_run[-len(far_run):]  # the same events, numbered once, in order
            # Reconnect the far client to the executing replica after its first event.
            first = far_run[0][0]
            async with connect(executor, "far", last_seq=first) as again:
                replayed = await collect_events(again, ENDS, run_id=run_id, timeout=30)
            assert [(event["seq"], event["type"]) for event in replayed if event.get("run_id") == run_id] == far_run[1:]

        asyncio.run(scenario())
