"""Human review on a real server with two creators (cy owns the runs, olga does not): a run stops
at a Review node (`awaiting_review`, what waits and why), a request for changes re-runs the agent
with the note, approval completes it; edit and reject; someone else's decision is a 403 through
authorize(); the agent-jobs list filters runs; a webhook hears `run.awaiting_review`; ComfyUI's
jobs list shows the waiting run as pending. (A wait surviving a real server restart: the browser test,
tests/e2e/browser/test_editor_review.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from nodes.sdk import layout

from .server_harness import ServerProcess, free_port, make_token, wait_for_status
from .test_server_webhooks import Receiver, wait_for_delivery

DONE = {"completed", "failed", "cancelled"}
WAITING = {"awaiting_review", *DONE}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("review")


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[ServerProcess]:
    tokens = {name: make_token(workspace, name, "creator") for name in ("cy", "olga")}
    server = ServerProcess(workspace, comfyui_port=free_port()).start()
    server.tokens = tokens  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clients(server: ServerProcess) -> Iterator[dict[str, httpx.Client]]:
    made = {name: httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
            for name, token in server.tokens.items()}  # type: ignore[attr-defined]
    assert made["cy"].post("/api/projects", json={"name": "Duel"}).status_code == 201
    yield made
    for client in made.values():
        client.close()


def reviewed_graph(prompt: str = "the duel", always: bool = True) -> dict[str, Any]:
    """An agent (the test pack's deterministic double) → Review → Show."""
    return {
        "1": {"class_type": "test.draft", "inputs": {"prompt": prompt}},
        "2": {"class_type": "production.review", "inputs": {"content": ["1", 0], "always": always}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


def submit(client: httpx.Client, graph: dict[str, Any]) -> str:
    answer = client.post("/api/runs", json={"graph": graph, "project": "Duel"})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["run_id"])


def decide(client: httpx.Client, run_id: str, **body: Any) -> httpx.Response:
    return client.post(f"/api/runs/{run_id}/review", json=body)


def test_a_request_for_changes_reruns_the_agent_with_the_note_and_approval_completes_the_run(
        server: ServerProcess, clients: dict[str, httpx.Client], workspace: Path) -> None:
    cy, olga = clients["cy"], clients["olga"]
    receiver = Receiver()
    hook = cy.post("/api/webhooks", json={"url": receiver.url, "events": ["run.awaiting_review"]})
    assert hook.status_code == 201, hook.text
    run_id = submit(cy, reviewed_graph())

    run = wait_for_status(cy, run_id, WAITING)
    assert run["status"] == "awaiting_review" and run["finished_at"] is None
    assert run["nodes"]["1"]["status"] == "completed" and run["nodes"]["2"]["status"] == "awaiting_review"
    assert run["nodes"]["3"]["status"] == "pending"
    review = cy.get(f"/api/runs/{run_id}/review").json()
    wait = review["waiting"]["2"]
    assert wait["content"] == "Draft of the duel" and wait["confidence"] == 0.4
    assert wait["reasons"] == ["first draft"] and wait["feedback_node"] == "1"
    assert review["review_state"] == "awaiting" and review["thread"] == []
    # ComfyUI's clients see the waiting run as pending (its queue has no review state).
    comfy = httpx.get(f"{server.comfy_url}/api/jobs", params={"status": "pending"}, headers=cy.headers, timeout=30)
    assert [job["status"] for job in comfy.json()["jobs"] if job["id"] == run_id] == ["pending"], comfy.text
    queue = httpx.get(f"{server.comfy_url}/queue", headers=cy.headers, timeout=30).json()
    assert run_id in [item[1] for item in queue["queue_pending"]]

    delivery = wait_for_delivery(cy, run_id, "delivered")
    assert delivery["event"] == "run.awaiting_review"
    assert delivery["payload"]["data"]["waiting"] == {"2": ["first draft"]}
    _, headers, body = receiver.received[-1]
    Webhook(hook.json()["secret"]).verify(body, headers)  # signed like every other event
    receiver.server.shutdown()

    refused = decide(olga, run_id, action="approve")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "belongs to another principal" in refused.json()["error"]["message"]
    no_note = decide(cy, run_id, action="request_changes")
    assert no_note.status_code == 422 and no_note.json()["error"]["code"] == "review_decision_invalid"

    changed = decide(cy, run_id, action="request_changes", note="make it rain")
    assert changed.status_code == 200, changed.text
    assert changed.json()["review_state"] == "changes_requested"
    run = wait_for_status(cy, run_id, WAITING)
    assert run["status"] == "awaiting_review" and run["nodes"]["1"]["status"] == "completed"  # re-ran
    assert run["prompt"]["1"]["inputs"]["feedback"] == "make it rain"
    wait = cy.get(f"/api/runs/{run_id}/review").json()["waiting"]["2"]
    assert wait["content"] == "Draft of the duel (revised: make it rain)"
    assert wait["reasons"] == ["this Review node always asks a person"]  # confident now; `always` is set

    assert decide(cy, run_id, action="approve").status_code == 200
    run = wait_for_status(cy, run_id, DONE)
    assert run["status"] == "completed", run["errors"]
    assert run["nodes"]["1"]["status"] == "cached"  # the approved answer is the one already made
    assert run["outputs"]["3"]["value"] == "Draft of the duel (revised: make it rain)"
    assert decide(cy, run_id, action="approve").status_code == 409  # nothing waits any more

    thread = json.loads((workspace / layout.PROJECTS_DIR / "Duel" / layout.REVIEW_THREADS_DIR
                         / f"{run_id}{layout.REVIEW_THREAD_SUFFIX}").read_text())
    assert [(row["action"], row["note"], row["principal"]) for row in thread["decisions"]] == [
        ("request_changes", "make it rain", "cy"), ("approve", None, "cy")]

    jobs = cy.get("/api/agents/jobs", params={"agent": "test.draft", "review": "approved"}).json()
    assert run_id in [job["run_id"] for job in jobs["items"]]
    assert cy.get("/api/agents/jobs", params={"review": "awaiting"}).json()["items"] == []
    assert olga.get("/api/agents/jobs").json()["total"] == 0  # only the caller's own runs
    assert cy.get("/api/agents/jobs", params={"agent": "core.show"}).json()["total"] == 0  # not an agent


def test_an_edit_passes_the_edited_text_on_and_a_rejection_fails_the_run(clients: dict[str, httpx.Client]) -> None:
    cy = clients["cy"]
    edited, rejected = submit(cy, reviewed_graph("the edit")), submit(cy, reviewed_graph("the reject"))
    for run_id in (edited, rejected):
        assert wait_for_status(cy, run_id, WAITING)["status"] == "awaiting_review"
    no_content = decide(cy, edited, action="edit")
    assert no_content.status_code == 422 and no_content.json()["error"]["details"] == {"field": "content"}
    assert decide(cy, edited, action="edit", content="A duel at dawn.").status_code == 200
    assert decide(cy, rejected, action="reject", note="off tone").status_code == 200

    run = wait_for_status(cy, edited, DONE)
    assert run["status"] == "completed" and run["outputs"]["3"]["value"] == "A duel at dawn."
    run = wait_for_status(cy, rejected, DONE)
    assert run["status"] == "failed" and run["errors"][0]["code"] == "review_rejected"
    assert "off tone" in run["errors"][0]["message"] and run["nodes"]["3"]["status"] == "skipped"
    assert [job["review_state"] for job in cy.get("/api/agents/jobs", params={"review": "rejected"}).json()["items"]] == [
        "rejected"]
