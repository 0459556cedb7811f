"""Batches on a real server: a graph and a 20-row CSV table become 20 runs under one batch id
whose shared prefix runs once (the others read it from the cache), each row with its own
output; a JSON table cancelled and retried as a batch; bad tables are 4xx in the error shape."""

from __future__ import annotations

import time
from typing import Any

import httpx

from .server_harness import wait_for_status


def prefix_graph() -> dict[str, Any]:
    """A slow shared prefix (test.sleep on a runner process), then one add per row."""
    return {
        "1": {"class_type": "test.sleep", "inputs": {"seconds": 0.3, "value": 100}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 0}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


def wait_for_batch(client: httpx.Client, batch_id: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.get(f"/api/batches/{batch_id}").json()
        if batch["done"]:
            return batch
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} never finished: {batch['counts']}")


def test_twenty_rows_run_the_shared_prefix_once_and_give_each_row_its_output(client: httpx.Client) -> None:
    table = "2.b\n" + "\n".join(str(row) for row in range(20)) + "\n"
    answer = client.post("/api/batches", json={"graph": prefix_graph(), "table": table})
    assert answer.status_code == 202, answer.text
    batch_id, run_ids = answer.json()["batch_id"], answer.json()["runs"]
    assert len(run_ids) == 20
    batch = wait_for_batch(client, batch_id)
    assert batch["total"] == 20 and batch["counts"] == {"completed": 20}
    assert [run["run_id"] for run in batch["runs"]] == run_ids
    records = [client.get(f"/api/runs/{run_id}").json() for run_id in run_ids]
    assert [record["outputs"]["3"]["value"] for record in records] == [100 + row for row in range(20)]
    prefix = [record["nodes"]["1"]["status"] for record in records]
    assert prefix.count("completed") == 1 and prefix.count("cached") == 19, prefix
    assert all(record["nodes"]["2"]["status"] == "completed" for record in records)
    listed = client.get("/api/runs", params={"limit": 20}).json()["items"]
    assert {run["batch_id"] for run in listed} == {batch_id}


def test_a_json_batch_is_cancelled_and_retried_as_a_whole(client: httpx.Client) -> None:
    assert client.post("/api/queue/pause").status_code == 200
    try:
        rows = [{"2.b": 1}, {"2.b": 2}, {"2.b": 3}]
        answer = client.post("/api/batches", json={"graph": prefix_graph(), "table": rows}).json()
        batch_id = answer["batch_id"]
        cancelled = client.post(f"/api/batches/{batch_id}/cancel").json()
        assert sorted(cancelled["runs"]) == sorted(answer["runs"])
        assert client.get(f"/api/batches/{batch_id}").json()["counts"] == {"cancelled": 3}
        retried = client.post(f"/api/batches/{batch_id}/retry")
        assert retried.status_code == 202 and len(retried.json()["runs"]) == 3
    finally:
        assert client.post("/api/queue/resume").status_code == 200
    batch = wait_for_batch(client, batch_id)
    assert batch["total"] == 3 and batch["counts"] == {"completed": 3}
    assert {run["retry_of"] for run in batch["runs"]} == set(answer["runs"])
    assert client.post(f"/api/batches/{batch_id}/retry").json()["runs"] == []  # nothing left to retry
    first = wait_for_status(client, batch["runs"][0]["run_id"], {"completed"})
    assert first["outputs"]["3"]["value"] == 101


def test_bad_tables_and_unknown_batches_are_4xx_in_the_error_shape(client: httpx.Client) -> None:
    cases = {
        "2.b\n": 422,  # a header and no rows
        "2.b,3.value\n1\n": 422,  # fewer cells than columns
        "9.value\n1\n": 422,  # no node 9
    }
    for table, status in cases.items():
        answer = client.post("/api/batches", json={"graph": prefix_graph(), "table": table})
        assert answer.status_code == status, (table, answer.text)
        assert set(answer.json()["error"]) == {"code", "message", "details"}
    assert client.post("/api/batches", json={"graph": prefix_graph(), "table": []}).status_code == 422
    assert client.post("/api/batches", json={"graph": prefix_graph(), "table": [1, 2]}).status_code == 422
    missing = client.get("/api/batches/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "batch_not_found"
    assert client.post("/api/batches/nope/cancel").status_code == 404
