"""`POST /api/graphs/validate` with `queue`: the editor's Queue in one request. A graph without
problems is queued as `POST /api/runs` queues it (same refusals: role, project, client id); a
graph with problems is reported and never queued; hostile queue options are a 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..server_harness import chain_prompt, wait_for_status
from .test_no_5xx import _shape


def _run_count(client: httpx.Client) -> int:
    return len(client.get("/api/runs", params={"limit": 500}).json()["items"])


def test_a_valid_graph_with_queue_is_checked_and_queued_in_one_request(clients: dict[str, httpx.Client], film: str) -> None:
    answer = clients["cy"].post("/api/graphs/validate", json={
        "graph": chain_prompt(5, 4), "queue": {"project": film, "tier": "low", "client_id": "cy-editor", "priority": 3}})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["valid"] is True and report["errors"] == [] and set(report["prompt"]) == {"1", "2", "3"}
    assert report["run"]["status"] == "queued" and report["run"]["tier"] == "low"
    record = wait_for_status(clients["cy"], report["run"]["run_id"], {"completed", "failed"})
    assert (record["status"], record["project"], record["nodes"]["3"]["outputs"]) == ("completed", film, {"value": 9})


def test_a_graph_with_problems_is_reported_and_not_queued(clients: dict[str, httpx.Client], film: str) -> None:
    before = _run_count(clients["cy"])
    broken = {**chain_prompt(), "4": {"class_type": "no.such_node", "inputs": {}}}
    answer = clients["cy"].post("/api/graphs/validate", json={"graph": broken, "queue": {"project": film}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["valid"] is False and "run" not in answer.json()
    assert [error["code"] for error in answer.json()["errors"]] == ["unknown_node_type"]
    assert _run_count(clients["cy"]) == before


def test_validate_without_queue_queues_nothing(clients: dict[str, httpx.Client]) -> None:
    before = _run_count(clients["cy"])
    answer = clients["cy"].post("/api/graphs/validate", json={"graph": chain_prompt()})
    assert answer.status_code == 200 and "run" not in answer.json()
    assert _run_count(clients["cy"]) == before


def test_a_viewer_may_validate_but_not_queue(clients: dict[str, httpx.Client], film: str) -> None:
    assert clients["vic"].post("/api/graphs/validate", json={"graph": chain_prompt()}).status_code == 200
    refused = clients["vic"].post("/api/graphs/validate", json={"graph": chain_prompt(), "queue": {}})
    assert refused.status_code == 403
    _shape(refused)


def test_another_principals_client_id_is_refused_when_queueing(clients: dict[str, httpx.Client]) -> None:
    assert clients["olga"].post("/api/graphs/validate", json={"graph": chain_prompt(), "queue": {"client_id": "olga-tab"}}).status_code == 200
    taken = clients["cy"].post("/api/graphs/validate", json={"graph": chain_prompt(), "queue": {"client_id": "olga-tab"}})
    assert taken.status_code == 403
    _shape(taken)


@pytest.mark.parametrize("queue", [
    {"tier": "ultra"}, {"priority": 1000}, {"priority": "high"}, {"client_id": "x" * 300},
    {"project": "../../etc"}, {"project": "no such film"}, {"project": "a\u0000b"}, "now", [1], 7,
])
def test_hostile_queue_options_are_a_4xx(clients: dict[str, httpx.Client], queue: Any) -> None:
    _shape(clients["cy"].post("/api/graphs/validate", json={"graph": chain_prompt(), "queue": queue}))


def test_a_graph_over_the_projects_budget_is_refused_with_the_estimates_words_and_not_queued(
        clients: dict[str, httpx.Client]) -> None:
    assert clients["cy"].post("/api/projects", json={"name": "Budgeted"}).status_code == 201
    assert clients["cy"].patch("/api/projects/Budgeted", json={"settings": {"budgetUsd": 1.0}}).status_code == 200
    clip = {"1": {"class_type": "providers.higgsfield_video", "inputs": {
        "prompt": "a lighthouse at dusk", "duration": 20, "shot_path": "Chapter_01/Scene_01/Shot_01"}}}
    before = _run_count(clients["cy"])
    answer = clients["cy"].post("/api/graphs/validate", json={"graph": clip, "queue": {"project": "Budgeted"}})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["valid"] is True and "run" not in report, report
    assert report["refused"].startswith("This run would cost about $2.00, more than is left of the project's budget")
    assert _run_count(clients["cy"]) == before
