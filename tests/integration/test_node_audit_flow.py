"""What a node reports doing reaches the workspace's audit log with the run's principal, by
every way a run is made: `auteur run` in-process, a server with its local pool, and a server
whose node ran in a Celery worker process (the event crosses Redis; the worker never writes
the log)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from .celery_cluster import RedisServer, Worker
from .server_harness import AUTEUR, running_server, wait_for_status

GRAPH = {"1": {"class_type": "test.audited", "inputs": {"target": "stage", "value": 5}},
         "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
ACTION = {"node_id": "1", "type": "test.audited", "action": "touch", "target": "stage"}


def _audit(workspace: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (workspace / ".auteur" / "audit.jsonl").read_text().splitlines()]


def _check(lines: list[dict[str, Any]], run_id: str | None, principal: str) -> None:
    mine = [line for line in lines if run_id is None or line["run_id"] == run_id]
    assert len(mine) == 2, lines  # the submit line and the node's own
    submitted, acted = mine
    assert submitted["nodes"] == [{"node_id": "1", "type": "test.audited", "maturity": "SUPERVISED", "paths": []}]
    assert acted["nodes"] == [ACTION]
    assert {line["principal"] for line in mine} == {principal}
    assert acted["run_id"] == submitted["run_id"]


def test_auteur_run_writes_the_submit_line_and_the_node_action(tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps(GRAPH))
    workspace = tmp_path / "ws"
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_LOAD_PLUGINS": "core,testpack"}
    done = subprocess.run([*AUTEUR, "run", str(graph), "--json"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    _check(_audit(workspace), None, "local")


def test_a_server_run_on_the_local_pool_is_audited_with_its_principal(tmp_path: Path) -> None:
    with running_server(tmp_path / "ws", {"AUTEUR_LOAD_PLUGINS": "core,testpack"}) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            run_id = client.post("/api/runs", json={"graph": GRAPH}).json()["run_id"]
            assert wait_for_status(client, run_id, {"completed", "failed"})["status"] == "completed"
        _check(_audit(server.workspace), run_id, "local")


@pytest.mark.slow
def test_a_node_run_by_a_celery_worker_is_audited_by_the_server(tmp_path: Path) -> None:
    redis_server = RedisServer(tmp_path / "redis").start()
    worker = Worker("standard", redis_server.url, tmp_path / "worker.log").start()
    try:
        env = {"AUTEUR_BROKER_URL": redis_server.url, "AUTEUR_LOAD_PLUGINS": "core,testpack"}
        with running_server(tmp_path / "ws", env) as server:
            with httpx.Client(base_url=server.url, timeout=10) as client:
                run_id = client.post("/api/runs", json={"graph": GRAPH}).json()["run_id"]
                record = wait_for_status(client, run_id, {"completed", "failed"}, timeout=60)
            assert record["status"] == "completed", record
            assert record["nodes"]["1"]["runner"].startswith("celery:standard:")
            _check(_audit(server.workspace), run_id, "local")
    finally:
        worker.stop()
        redis_server.stop()
