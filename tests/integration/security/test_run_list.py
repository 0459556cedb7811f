"""`GET /api/runs` lists summaries; the outputs stay behind `GET /api/runs/{id}`."""

from __future__ import annotations

import httpx

from ..server_harness import ServerProcess, wait_for_status

BIG = 2 * 1024 * 1024


def test_the_run_list_carries_summaries_never_outputs(team_server: ServerProcess, clients: dict[str, httpx.Client]) -> None:
    client = clients["ada"]
    graph = {"1": {"class_type": "core.text", "inputs": {"value": "x" * BIG}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    run_id = client.post("/api/runs", json={"graph": graph}).json()["run_id"]
    record = wait_for_status(client, run_id, {"completed"})
    assert len(record["outputs"]["2"]["value"]) == BIG

    listed = client.get("/api/runs", params={"limit": 500})
    assert listed.status_code == 200 and len(listed.content) < BIG / 10
    [summary] = [item for item in listed.json()["items"] if item["run_id"] == run_id]
    assert summary["status"] == "completed" and summary["nodes"] == {"completed": 2}
    assert not {"outputs", "graph", "prompt"} & summary.keys()
