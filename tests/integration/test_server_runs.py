"""Runs against a real `auteur serve` process: submit, events, record, cancel, history."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx

from .server_harness import (
    ServerProcess,
    chain_prompt,
    collect_events,
    connect,
    sleep_prompt,
    wait_for_status,
)


def test_submitted_run_streams_events_in_order_then_its_record(server: ServerProcess, client: httpx.Client) -> None:
    async def scenario() -> list[dict]:
        async with connect(server, "ordered") as ws:
            await ws.recv()  # greeting heartbeat
            response = client.post("/api/runs", json={"graph": sleep_prompt(0.1, value=7), "client_id": "ordered"})
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "queued"
            return await collect_events(ws, {"run_completed", "run_failed"})

    events = asyncio.run(scenario())
    types = [event["type"] for event in events]
    assert types[0] == "run_queued" and types[1] == "run_started" and types[-1] == "run_completed"
    assert types.index("node_started") < types.index("node_completed")
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    run_id = events[0]["run_id"]
    record = client.get(f"/api/runs/{run_id}").json()
    assert record["status"] == "completed"
    assert record["outputs"] == {"2": {"value": 7}}
    assert record["nodes"]["1"]["status"] == "completed" and record["nodes"]["1"]["runner"]
    assert record["prompt"]["1"]["class_type"] == "test.sleep"


def test_rerunning_an_unchanged_graph_reports_nodes_cached(server: ServerProcess, client: httpx.Client) -> None:
    graph = sleep_prompt(0.2, value="cache-me")
    first = client.post("/api/runs", json={"graph": graph}).json()["run_id"]
    wait_for_status(client, first, {"completed"})

    async def scenario() -> list[dict]:
        async with connect(server, "cached") as ws:
            await ws.recv()
            client.post("/api/runs", json={"graph": graph, "client_id": "cached"})
            return await collect_events(ws, {"run_completed"})

    types = [event["type"] for event in asyncio.run(scenario())]
    assert "node_cached" in types and "node_started" not in types


def test_params_override_a_constant_input(client: httpx.Client) -> None:
    run_id = client.post("/api/runs", json={"graph": chain_prompt(2, 3), "params": {"1.value": 40}}).json()["run_id"]
    assert wait_for_status(client, run_id, {"completed"})["outputs"] == {"3": {"value": 43}}


def test_cancel_kills_the_running_node_within_two_seconds(server: ServerProcess, client: httpx.Client) -> None:
    pid_file = server.workspace / "sleeper.pid"
    run_id = client.post("/api/runs", json={"graph": sleep_prompt(120, pid_file=str(pid_file))}).json()["run_id"]
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the sleeping node never started"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    started = time.monotonic()
    assert client.post(f"/api/runs/{run_id}/cancel").status_code == 202
    record = wait_for_status(client, run_id, {"cancelled", "failed", "completed"}, timeout=5)
    elapsed = time.monotonic() - started
    assert record["status"] == "cancelled"
    assert record["nodes"]["1"]["status"] == "cancelled"
    assert elapsed < 2.0, f"cancel took {elapsed:.2f}s"
    # The record may say cancelled a moment before the runner has reaped the killed process:
    # what is promised is that it is gone within two seconds of the cancel.
    while _alive(pid) and time.monotonic() - started < 2.0:
        time.sleep(0.02)
    assert not _alive(pid), f"the node's process survived the cancel by {time.monotonic() - started:.2f}s"


def test_failing_node_fails_the_run_with_the_node_error(client: httpx.Client) -> None:
    graph = {
        "1": {"class_type": "test.fail", "inputs": {"message": "deliberate"}},
        "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}},
    }
    run_id = client.post("/api/runs", json={"graph": graph}).json()["run_id"]
    record = wait_for_status(client, run_id, {"failed", "completed"})
    assert record["status"] == "failed"
    assert "deliberate" in record["nodes"]["1"]["error"]["message"]
    assert record["nodes"]["2"]["status"] == "skipped"


def test_cancelling_a_queued_run_and_a_finished_run(client: httpx.Client) -> None:
    blockers = [client.post("/api/runs", json={"graph": sleep_prompt(1.5, value=i)}).json()["run_id"] for i in range(2)]
    queued = client.post("/api/runs", json={"graph": chain_prompt(5, 5)}).json()["run_id"]
    assert client.post(f"/api/runs/{queued}/cancel").json()["status"] == "cancelled"
    for run_id in blockers:
        wait_for_status(client, run_id, {"completed"})
    assert client.get(f"/api/runs/{queued}").json()["status"] == "cancelled"
    refused = client.post(f"/api/runs/{queued}/cancel")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"


def test_a_run_in_an_unknown_or_traversing_project_is_a_404(client: httpx.Client) -> None:
    for project in ("no-such-project", "../../outside"):
        answer = client.post("/api/runs", json={"graph": chain_prompt(1, 1), "project": project})
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "project_not_found"


def test_history_filters_paginates_and_deletes(client: httpx.Client) -> None:
    assert client.post("/api/projects", json={"name": "history-p"}).status_code == 201
    ids = [client.post("/api/runs", json={"graph": chain_prompt(i, 1), "project": "history-p"}).json()["run_id"] for i in range(3)]
    for run_id in ids:
        wait_for_status(client, run_id, {"completed"})
    page = client.get("/api/runs", params={"project": "history-p", "limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert [item["run_id"] for item in page["items"]] == ids[::-1][:2]
    rest = client.get("/api/runs", params={"project": "history-p", "limit": 2, "offset": 2}).json()
    assert [item["run_id"] for item in rest["items"]] == [ids[0]]
    assert client.get("/api/runs", params={"status": "completed", "project": "history-p"}).json()["total"] == 3
    assert client.delete(f"/api/runs/{ids[0]}").status_code == 204
    missing = client.get(f"/api/runs/{ids[0]}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "run_not_found"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped by its parent is a zombie: it no longer runs.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()
