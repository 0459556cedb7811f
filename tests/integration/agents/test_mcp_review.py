"""Human review over MCP (docs/architecture.md §12: decisions through the API, the editor and MCP):
run_graph answers once the run waits for review instead of hanging, and review_run asks for
changes (the agent re-runs with the note) and approves; another agent's decision is refused."""

from __future__ import annotations

from typing import Any

from ..server_harness import ServerProcess
from .conftest import PROJECT, call

REVIEWED = {
    "1": {"class_type": "test.draft", "inputs": {"prompt": "the heist"}},
    "2": {"class_type": "production.review", "inputs": {"content": ["1", 0], "always": True}},
    "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
}


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return dict(result.structured_content)


def test_an_agent_runs_a_reviewed_graph_asks_for_changes_then_approves_over_mcp(
        server: ServerProcess, tokens: dict[str, str]) -> None:
    token = tokens["AUTONOMOUS"]
    waiting = structured(call(server, token, "run_graph", {"graph": REVIEWED, "project": PROJECT}))
    assert waiting["status"] == "awaiting_review" and waiting["nodes"]["2"]["status"] == "awaiting_review"
    run_id = waiting["run_id"]

    refused = call(server, tokens["INTERN"], "review_run", {"run_id": run_id, "action": "approve"})
    assert refused.is_error and "belongs to another principal" in refused.content[0].text
    bad = call(server, token, "review_run", {"run_id": run_id, "action": "shrug"})
    assert bad.is_error

    changed = structured(call(server, token, "review_run",
                              {"run_id": run_id, "action": "request_changes", "note": "at night"}))
    assert changed["status"] == "queued"
    again = structured(call(server, token, "get_run", {"run_id": run_id}))
    for _ in range(200):
        if again["status"] == "awaiting_review":
            break
        again = structured(call(server, token, "get_run", {"run_id": run_id}))
    assert again["status"] == "awaiting_review"
    structured(call(server, token, "review_run", {"run_id": run_id, "action": "approve"}))
    for _ in range(200):
        done = structured(call(server, token, "get_run", {"run_id": run_id}))
        if done["status"] == "completed":
            break
    assert done["outputs"]["3"]["value"] == "Draft of the heist (revised: at night)"
