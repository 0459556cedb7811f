"""Two `auteur serve` replicas on one PostgreSQL, one Redis (events) and one shared workspace: a
run submitted on one is followed on the other (its record, and its events live over the other's
WebSocket); a run executing on one is cancelled from the other; 200
submissions spread over both all run, each exactly once; and when the replica executing a run
is killed (-9), the other resumes the run with its cached nodes once the dead one's lease runs
out. With a real Celery worker (Redis as the broker too): a node of a run submitted on one
replica executes on the worker, its progress reaches a client of the other replica, and a worker
killed (-9) mid-node is recovered when the task's delivery lease (the broker's visibility
timeout) runs out: another worker runs it and the run makes exactly one take."""

from __future__ import annotations

import asyncio
import json
import subprocess
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
from nodes.sdk import layout

from ..celery_cluster import WORKER_PACKS, RedisServer, Worker, wait_until
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


def replica(workspace: Path, url: str, events_url: str, **extra: str) -> ServerProcess:
    return ServerProcess(workspace, {"AUTEUR_DATABASE_URL": url, "AUTEUR_EVENTS_URL": events_url,
                                     "AUTEUR_LEASE_S": str(LEASE_S),
                                     "AUTEUR_MAX_QUEUED_RUNS": "1000", "AUTEUR_CONCURRENT_RUNS": "2", **extra})


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


# A task unacknowledged this long goes back on its queue (the delivery's lease); longer than the
# render below, so only a dead worker's task is delivered again.
REDELIVERY = {"AUTEUR_CELERY_VISIBILITY_TIMEOUT_S": "4", "AUTEUR_CELERY_RESTORE_INTERVAL_S": "1"}


def ancestors(pid: int) -> set[int]:
    """`pid` and every process above it."""
    found = set()
    while pid > 1:
        found.add(pid)
        with open(f"/proc/{pid}/stat") as stat:
            pid = int(stat.read().rsplit(") ", 1)[1].split()[1])
    return found


def take_graph(pid_file: Path) -> dict[str, Any]:
    """A project clip through a render on the worker (writing its pid first) into a take."""
    return {
        "load": {"class_type": "media.load", "inputs": {"path": "clip.mp4"}},
        "render": {"class_type": "test.sleep", "inputs": {"seconds": 2, "value": ["load", 0],
                                                           "pid_file": str(pid_file)}},
        "take": {"class_type": "production.save_take",
                 "inputs": {"media": ["render", 0], "shot_path": "Chapter_01/Scene_01/Shot_01"}},
    }


async def follow_the_worker_run(servers: list[ServerProcess], on_a: httpx.Client, graph: dict[str, Any],
                                kill: Any) -> tuple[str, int, dict[int, list[dict[str, Any]]]]:
    """Submit on the first replica while a WebSocket client of each replica follows the run;
    `kill(run_id)` runs (in a thread) once the render has begun on a worker and returns the
    executing replica's port. (run id, that port, each replica's events by port until the end)"""
    async with ws_connect(servers[0], "a") as on_a_ws, ws_connect(servers[1], "b") as on_b_ws:
        run_id = on_a.post("/api/runs", json={"graph": graph, "project": "Film"}).json()["run_id"]
        sockets = {servers[0].port: on_a_ws, servers[1].port: on_b_ws}
        for ws in sockets.values():
            await ws.send(json.dumps({"type": "subscribe", "runs": [run_id]}))
        killing = asyncio.create_task(asyncio.to_thread(kill, run_id))
        followed = await asyncio.gather(*(collect_events(ws, {"run_completed", "run_failed"}, timeout=90, run_id=run_id)
                                          for ws in sockets.values()))
        return run_id, await killing, dict(zip(sockets, followed, strict=True))


def test_a_node_runs_on_a_celery_worker_its_progress_reaches_the_other_replica_and_a_killed_worker_is_recovered(
        migrated_url: str, redis_url: str, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shared = {"AUTEUR_DATABASE_URL": migrated_url, "AUTEUR_LOAD_PLUGINS": WORKER_PACKS, **REDELIVERY}
    workers = [Worker("standard", redis_url, tmp_path / f"worker{n}.log", extra_env=shared) for n in range(2)]
    servers = [replica(workspace, migrated_url, redis_url, AUTEUR_BROKER_URL=redis_url,
                       AUTEUR_LOAD_PLUGINS=WORKER_PACKS) for _ in range(2)]
    pid_file = tmp_path / "render.pid"
    with ThreadPoolExecutor(4) as pool, ExitStack() as stack:
        stack.callback(lambda: list(pool.map(lambda stop: stop(), [*(w.stop for w in workers),
                                                                   *(s.stop for s in servers)])))  # at once
        list(pool.map(lambda start: start(), [*(w.start for w in workers), *(s.start for s in servers)]))
        on_a = stack.enter_context(httpx.Client(base_url=servers[0].url, timeout=30))
        assert on_a.post("/api/projects", json={"name": "Film"}).status_code == 201
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        str(workspace / "Projects" / "Film" / "clip.mp4")], check=True)
        killed: list[int] = []

        def kill_the_worker_mid_render(run_id: str) -> int:
            wait_until(pid_file.exists, 60, "the render to start on a worker")
            killed.append(int(pid_file.read_text()))
            [rendering] = [w for w in workers if w.process is not None and w.process.pid in ancestors(killed[0])]
            rendering.kill9()  # the other one takes the task once its delivery lease runs out
            return executing_port(migrated_url, run_id)

        run_id, executor, followed = asyncio.run(follow_the_worker_run(servers, on_a, take_graph(pid_file),
                                                                       kill_the_worker_mid_render))
        [elsewhere] = [port for port in followed if port != executor]
        run = httpx.get(f"http://127.0.0.1:{elsewhere}/api/runs/{run_id}", timeout=30).json()
        assert (run["status"], run["attempts"]) == ("completed", 1), run  # the task went again, not the run
        render = run["nodes"]["render"]
        assert render["runner"].startswith("celery:standard:") and int(render["runner"].rsplit(":", 1)[1]) != killed[0]
        seen = [(event["type"], event["data"].get("node_id")) for event in followed[elsewhere]]
        assert ("node_progress", "render") in seen and seen[-1] == ("run_completed", None)  # relayed from the executor
        assert [e["data"]["take_number"] for e in followed[elsewhere] if e["type"] == "take_created"] == [1]
        takes = sorted(path.name for path in (workspace / "Projects" / "Film" / "03_Renders").rglob("*take*.mp4"))
        assert takes == ["S01_S01_take01.mp4"]  # no duplicate take

        template = {"name": "Rough Cut", "description": "saved on A", "version": "1", "parameters": [],
                    "requires": [], "workflow": {"last_node_id": 0, "last_link_id": 0, "nodes": [], "links": []}}
        assert on_a.post("/api/templates", json=template).status_code == 201
        on_b = httpx.get(f"{servers[1].url}/api/templates/rough-cut", timeout=30).json()
        assert (on_b["source"], on_b["description"]) == ("workspace", "saved on A")  # from the database:
        assert not list((workspace / layout.PIPELINE_TEMPLATES_DIR).glob("*.json"))  # no file on the shared volume
