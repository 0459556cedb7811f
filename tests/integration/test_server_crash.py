"""The queue survives `kill -9`: queued runs still run, the executing run resumes from the
result cache, and a run that keeps dying with the server is marked interrupted."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from canvas_server.runs.store import RunRequest, RunStore, StoredRun

from .server_harness import ServerProcess, chain_prompt, wait_for_status


@pytest.mark.slow
def test_fifty_queued_runs_complete_after_kill_9_and_restart(tmp_path: Path) -> None:
    env = {"AUTEUR_CONCURRENT_RUNS": "1"}
    server = ServerProcess(tmp_path / "ws", env).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            long_graph = {
                "1": {"class_type": "test.sleep", "inputs": {"seconds": 0.2, "value": "first"}},
                "2": {"class_type": "test.sleep", "inputs": {"seconds": 30, "value": ["1", 0]}},
                "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
            }
            executing = client.post("/api/runs", json={"graph": long_graph}).json()["run_id"]
            _wait_node(client, executing, "1", "completed")
            queued = [client.post("/api/runs", json={"graph": chain_prompt(i, 1)}).json()["run_id"] for i in range(50)]
            assert client.get("/api/runs", params={"status": "queued"}).json()["total"] == 50
        server.kill9()

        restarted = ServerProcess(tmp_path / "ws", {**env, "AUTEUR_CONCURRENT_RUNS": "4"}, port=server.port).start()
        try:
            with httpx.Client(base_url=restarted.url, timeout=10) as client:
                for index, run_id in enumerate(queued):
                    assert wait_for_status(client, run_id, {"completed"}, timeout=60)["outputs"] == {"3": {"value": index + 1}}
                resumed = client.get(f"/api/runs/{executing}").json()
                assert resumed["status"] == "running"
                assert "resumed" in resumed["reason"]
                _wait_node(client, executing, "1", "cached")
                client.post(f"/api/runs/{executing}/cancel")
        finally:
            restarted.stop()
    finally:
        server.stop()


def test_a_run_left_running_too_many_times_is_marked_interrupted(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    run = StoredRun(run_id="r1", status="queued", tier="standard", principal="local",
                    request=RunRequest(prompt=chain_prompt()), created_at=time.time())
    store.add(run)
    for _attempt in range(2):
        assert store.claim_next() is not None  # the server dies while it runs...
        resumed, interrupted = store.recover(max_attempts=2)  # ...and restarts
    assert (resumed, interrupted) == ([], ["r1"])
    stored = store.get("r1")
    assert stored is not None and stored.status == "interrupted"
    assert "not resumed" in (stored.reason or "")
    assert store.claim_next() is None


def _wait_node(client: httpx.Client, run_id: str, node_id: str, status: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        nodes = client.get(f"/api/runs/{run_id}").json()["nodes"]
        if nodes.get(node_id, {}).get("status") == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"node {node_id} of {run_id} never became {status}")
