"""Two `auteur serve` replicas on one PostgreSQL, one Redis (events) and one shared workspace: a
run submitted on one is followed on the other (its record, and its events live over the other's
WebSocket); a run executing on one is cancelled from the other; 200
submissions spread over both all run, each exactly once; and when the replica executing a run
is killed (-9), the other resumes the run with its cached nodes once the dead one's lease runs
out."""

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
from sqlalchemy import text

from canvas_server.db import connect
from canvas_server.db.event_log import PgEventLog

from ..celery_cluster import RedisServer
from ..server_harness import ServerProcess, chain_prompt, collect_events, wait_for_status
from ..server_harness import connect as ws_connect

LEASE_S = 1.5


def long_graph(value: str, first_s: float = 0.2) -> dict[str, Any]:
    """A quick first node (cached once done), then one that runs until cancelled."""
    return {
        "1": {"class_type": "test.sleep", "inputs": {"seconds": first_s, "value": value}},
        "2": {"class_type": "test.sleep", "inputs": {"seconds": 60, "value": ["1", 0]}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis").start()
    yield server.url
    server.stop()


def replica(workspace: Path, url: str, events_url: str) -> ServerProcess:
    return ServerProcess(workspace, {"AUTEUR_DATABASE_URL": url, "AUTEUR_EVENTS_URL": events_url,
                                     "AUTEUR_LEASE_S": str(LEASE_S),
                                     "AUTEUR_MAX_QUEUED_RUNS": "1000", "AUTEUR_CONCURRENT_RUNS": "2"})


def node_status(client: httpx.Client, run_id: str, node_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
    """The run as `client`'s replica shows it, once node `node_id` has `status` there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["nodes"].get(node_id, {}).get("status") == status:
            return dict(run)
        time.sleep(0.05)
    raise AssertionError(f"node {node_id} of {run_id} never became {status}: {run}")


def executing_port(url: str, run_id: str) -> int:
    """The port of the replica holding `run_id`'s lease (from the replicas' registry)."""
    engine = connect(url)
    with engine.connect() as db:
        address = db.execute(text("SELECT address FROM replicas JOIN runs ON lease_owner = replica_id "
                                  "WHERE run_id = :r"), {"r": run_id}).scalar_one()
    engine.dispose()
    return int(str(address).rsplit(":", 1)[1])


async def follow_elsewhere(servers: list[ServerProcess], on_a: httpx.Client) -> tuple[str, list[dict[str, Any]]]:
    """Submit on the first replica while a WebSocket client of the second follows the run:
    (the run id, the events that client received until its first node completed)."""
    async with ws_connect(servers[1], "follower") as ws:
        run_id = on_a.post("/api/runs", json={"graph": long_graph("first", first_s=1.0)}).json()["run_id"]
        await ws.send(json.dumps({"type": "subscribe", "runs": [run_id]}))
        events = await collect_events(ws, {"node_completed"}, run_id=run_id)
    return run_id, events


def test_replicas_share_runs_cancel_across_run_each_submission_once_and_resume_a_dead_ones_run(
        migrated_url: str, redis_url: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = [replica(tmp_path / "ws", migrated_url, redis_url) for _ in range(2)]  # one workspace, no lock
        for server in servers:
            stack.callback(server.stop)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(ServerProcess.start, servers))
        clients = {server.port: stack.enter_context(httpx.Client(base_url=server.url, timeout=30))
                   for server in servers}

        def roles(run_id: str) -> tuple[ServerProcess, httpx.Client, httpx.Client]:
            """(the replica executing the run, its client, the other replica's client)"""
            port = executing_port(migrated_url, run_id)
            [other] = [client for other_port, client in clients.items() if other_port != port]
            return next(s for s in servers if s.port == port), clients[port], other

        on_a = clients[servers[0].port]
        survivor_run, live = asyncio.run(follow_elsewhere(servers, on_a))
        assert [(e["type"], e["data"].get("node_id")) for e in live if e["type"].startswith("node_")][-1] == (
            "node_completed", "1")
        executor, _, elsewhere = roles(survivor_run)
        followed = node_status(elsewhere, survivor_run, "1", "completed")  # its progress, seen on the other
        assert followed["status"] == "running" and followed["attempts"] == 1

        cancelled_run = on_a.post("/api/runs", json={"graph": long_graph("second")}).json()["run_id"]
        node_status(on_a, cancelled_run, "1", "completed")
        _, _, not_executing = roles(cancelled_run)
        assert not_executing.post(f"/api/runs/{cancelled_run}/cancel").status_code == 202
        assert wait_for_status(not_executing, cancelled_run, {"cancelled"}, timeout=LEASE_S * 4)["status"] == "cancelled"

        def submit(index: int) -> str:
            response = list(clients.values())[index % 2].post("/api/runs", json={"graph": chain_prompt(index, 1)})
            assert response.status_code == 202, response.text
            return str(response.json()["run_id"])

        with ThreadPoolExecutor(8) as pool:
            submitted = list(pool.map(submit, range(200)))
        for index, run_id in enumerate(submitted):
            run = wait_for_status(list(clients.values())[index % 2 - 1], run_id, {"completed", "failed"}, timeout=120)
            assert (run["status"], run["outputs"], run["attempts"]) == ("completed", {"3": {"value": index + 1}}, 1)
        log = PgEventLog(connect(migrated_url))
        started = {run_id: [e.type for e in log.of_run(run_id)].count("run_started") for run_id in submitted}
        log.close()
        assert set(started.values()) == {1}  # none lost, none run twice

        executor.kill9()
        resumed = node_status(elsewhere, survivor_run, "1", "cached", timeout=LEASE_S * 4 + 10)
        assert resumed["status"] == "running" and resumed["attempts"] == 2  # its first node not redone
        elsewhere.post(f"/api/runs/{survivor_run}/cancel")
