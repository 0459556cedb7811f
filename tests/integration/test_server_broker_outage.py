"""The server with Celery runners when Redis is down: runs stay queued, then proceed."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from .celery_cluster import RedisServer, Worker
from .server_harness import running_server, sleep_prompt


@pytest.mark.slow
def test_runs_submitted_while_redis_is_down_wait_in_the_queue_and_complete_when_it_returns(
    tmp_path: Path,
) -> None:
    redis_server = RedisServer(tmp_path / "redis")  # a port, nothing listening on it yet
    env = {"AUTEUR_BROKER_URL": redis_server.url, "AUTEUR_LOAD_PLUGINS": "core,testpack"}
    worker: Worker | None = None
    with running_server(tmp_path / "ws", env) as server:
        try:
            accepted = httpx.post(f"{server.url}/api/runs",
                                  json={"graph": sleep_prompt(0.1, value="after outage")}, timeout=10)
            assert accepted.status_code == 202, accepted.text
            run_id = accepted.json()["run_id"]
            time.sleep(2.5)  # the queue notices the broker is down
            held = httpx.get(f"{server.url}/api/runs/{run_id}", timeout=10).json()
            assert held["status"] == "queued"
            second = httpx.post(f"{server.url}/api/runs", json={"graph": sleep_prompt(0.1, value=2)},
                                timeout=10).json()
            assert "broker (AUTEUR_BROKER_URL) is unreachable" in second["warning"]

            redis_server.start()
            worker = Worker("standard", redis_server.url, tmp_path / "worker.log").start()
            deadline = time.monotonic() + 60
            records = {}
            while time.monotonic() < deadline:
                records = {rid: httpx.get(f"{server.url}/api/runs/{rid}", timeout=10).json()
                           for rid in (run_id, second["run_id"])}
                if all(r["status"] not in ("queued", "running") for r in records.values()):
                    break
                time.sleep(0.3)
            assert records[run_id]["status"] == "completed", records[run_id]
            assert records[run_id]["outputs"]["2"] == {"value": "after outage"}
            assert records[run_id]["nodes"]["1"]["runner"].startswith("celery:standard:")
            assert records[second["run_id"]]["status"] == "completed"
        finally:
            if worker is not None:
                worker.stop()
            redis_server.stop()
