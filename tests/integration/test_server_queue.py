"""Queue control on a real server with three principals (ada admin, cy and olga creators),
one run at a time: pause/resume, reorder, priority, retry reusing cached nodes, round-robin
fair share (50 queued runs against 1) and the per-principal queued-run limit (429)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from function_runners.execute import principal_scratch

from .server_harness import (
    chain_prompt,
    make_token,
    running_server,
    sleep_prompt,
    wait_for_status,
)

LIMIT = 55


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("queue")


@pytest.fixture(scope="module")
def clients(workspace: Path) -> Iterator[dict[str, httpx.Client]]:
    tokens = {name: make_token(workspace, name, role) for name, role in
              (("ada", "admin"), ("cy", "creator"), ("olga", "creator"))}
    env = {"AUTEUR_CONCURRENT_RUNS": "1", "AUTEUR_MAX_QUEUED_RUNS": str(LIMIT)}
    with running_server(workspace, env) as server:
        made = {name: httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
                for name, token in tokens.items()}
        yield made
        for client in made.values():
            client.close()


def submit(client: httpx.Client, graph: dict[str, Any], **extra: Any) -> str:
    answer = client.post("/api/runs", json={"graph": graph, **extra})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["run_id"])


def started_order(client: httpx.Client, run_ids: list[str]) -> list[str]:
    runs = [wait_for_status(client, run_id, {"completed"}) for run_id in run_ids]
    return [run["run_id"] for run in sorted(runs, key=lambda run: run["started_at"])]


@pytest.fixture
def paused(clients: dict[str, httpx.Client]) -> Iterator[None]:
    assert clients["ada"].post("/api/queue/pause").json() == {"paused": True}
    yield
    assert clients["ada"].post("/api/queue/resume").json() == {"paused": False}


def test_a_paused_queue_starts_nothing_until_resumed_and_only_an_admin_pauses_it(
        clients: dict[str, httpx.Client]) -> None:
    cy, ada = clients["cy"], clients["ada"]
    assert cy.post("/api/queue/pause").status_code == 403
    assert ada.post("/api/queue/pause").status_code == 200
    run_id = submit(cy, chain_prompt(7))
    time.sleep(1.0)
    assert cy.get(f"/api/runs/{run_id}").json()["status"] == "queued"
    view = cy.get("/api/queue").json()
    assert view["paused"] is True and [run["run_id"] for run in view["queued"]] == [run_id]
    assert cy.post("/api/queue/resume").status_code == 403
    assert ada.post("/api/queue/resume").json() == {"paused": False}
    assert wait_for_status(cy, run_id, {"completed"})["outputs"]["3"]["value"] == 10


def test_moves_and_priority_reorder_a_line_and_only_its_owner_moves_it(
        clients: dict[str, httpx.Client], paused: None) -> None:
    cy = clients["cy"]
    a, b, c = (submit(cy, chain_prompt(value)) for value in (101, 102, 103))
    moved = cy.post(f"/api/runs/{c}/move", json={"to": "front"})
    assert moved.status_code == 200 and moved.json()["position"] == 0
    assert cy.post(f"/api/runs/{a}/move", json={"to": "down"}).json()["position"] == 2
    assert [run["run_id"] for run in cy.get("/api/queue").json()["queued"]] == [c, b, a]
    assert cy.post(f"/api/runs/{a}/priority", json={"priority": 5}).json() == {
        "run_id": a, "status": "queued", "priority": 5, "position": 0}
    assert clients["olga"].post(f"/api/runs/{a}/move", json={"to": "back"}).status_code == 403
    assert cy.post(f"/api/runs/{a}/move", json={"to": "sideways"}).status_code == 422
    assert cy.post(f"/api/runs/{a}/priority", json={"priority": 1000}).status_code == 422
    assert cy.post("/api/runs/nope/move", json={"to": "up"}).json()["error"]["code"] == "run_not_found"
    clients["ada"].post("/api/queue/resume")
    assert started_order(cy, [a, b, c]) == [a, c, b]
    refused = cy.post(f"/api/runs/{a}/move", json={"to": "up"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"


def test_a_lone_run_starts_within_two_dispatches_behind_fifty_of_another_principal(
        clients: dict[str, httpx.Client]) -> None:
    olga, cy = clients["olga"], clients["cy"]
    clients["ada"].post("/api/queue/pause")
    many = [submit(olga, sleep_prompt(0.05, value=index)) for index in range(50)]
    clients["ada"].post("/api/queue/resume")
    wait_for_status(olga, many[2], {"completed"})
    lone = submit(cy, chain_prompt(1))
    wait_for_status(cy, lone, {"completed"})
    lone_started = cy.get(f"/api/runs/{lone}").json()["started_at"]
    lone_queued = cy.get(f"/api/runs/{lone}").json()["created_at"]
    records = [wait_for_status(olga, run_id, {"completed"}, timeout=120) for run_id in many]
    started_between = [run for run in records if lone_queued < run["started_at"] < lone_started]
    assert len(started_between) <= 1, "the lone run waited for more than the next two dispatches"
    assert records[-1]["started_at"] > lone_started  # olga still had runs queued when cy's started


def test_the_queued_run_limit_answers_429_in_the_error_shape(clients: dict[str, httpx.Client], paused: None) -> None:
    cy = clients["cy"]
    mine = [submit(cy, chain_prompt(index)) for index in range(LIMIT)]
    refused = cy.post("/api/runs", json={"graph": chain_prompt(0)})
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "quota_exceeded" and error["details"]["limit"] == LIMIT
    for run_id in mine:
        assert cy.post(f"/api/runs/{run_id}/cancel").status_code == 202


def test_retrying_a_failed_run_redoes_only_what_did_not_complete(
        clients: dict[str, httpx.Client], workspace: Path) -> None:
    cy = clients["cy"]
    graph = {
        **chain_prompt(20, 22),
        "4": {"class_type": "media.load", "inputs": {"path": "later.mp4"}},
        "5": {"class_type": "core.show", "inputs": {"value": ["4", 0]}},
    }
    failed = submit(cy, graph)
    first = wait_for_status(cy, failed, {"failed", "completed"})
    assert first["status"] == "failed" and first["nodes"]["2"]["status"] == "completed"
    assert clients["olga"].post(f"/api/runs/{failed}/retry").status_code == 403
    scratch = principal_scratch(workspace, "cy")  # where cy's project-less runs read paths
    scratch.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1",
                    "-pix_fmt", "yuv420p", str(scratch / "later.mp4")], check=True, timeout=60)
    answer = cy.post(f"/api/runs/{failed}/retry")
    assert answer.status_code == 202
    retried = wait_for_status(cy, answer.json()["run_id"], {"failed", "completed"})
    assert retried["status"] == "completed" and retried["outputs"]["3"]["value"] == 42
    assert {node: retried["nodes"][node]["status"] for node in ("1", "2", "4")} == {
        "1": "cached", "2": "cached", "4": "completed"}
    listed = cy.get("/api/runs", params={"limit": 1}).json()["items"][0]
    assert listed["run_id"] == retried["run_id"] and listed["retry_of"] == failed
    again = cy.post(f"/api/runs/{retried['run_id']}/retry")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
