"""Agents' inputs are hostile too (issue 21): the one-node route answers bad bodies with a 4xx
in the one error shape, and no tool reads another's projects or runs, or a file outside the
sandbox (spot checks over HTTP; the run roots property over every INTERN tool argument is
test_run_roots_agents.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from ..agents.mcp_client import http_session
from ..server_harness import ServerProcess, make_token
from .test_no_5xx import _shape


@pytest.mark.parametrize("body", [
    {"project": 5}, {"video": 5}, {"save_take": "shot 1"}, {"nope": 1}, {"wait": "yes"},
    {"video": "clip.mp4", "project": "../../etc"}, {"video": "a\x00b"},
])
def test_hostile_one_node_bodies_are_a_4xx(clients: dict[str, httpx.Client], body: dict[str, Any]) -> None:
    _shape(clients["ada"].post("/api/nodes/media.trim/run", json=body))


def _calls(server: ServerProcess, token: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    async def run() -> list[Any]:
        async with http_session(server.url, token) as session:
            return [await session.call_tool(name, arguments) for name, arguments in calls]
    return asyncio.run(run())


def test_an_agent_reads_nothing_outside_its_projects_and_the_sandbox_through_any_tool(
        team_server: ServerProcess, team_workspace: Any, clients: dict[str, httpx.Client], film: str) -> None:
    intern = make_token(team_workspace, "intern-agent", "creator", "INTERN")
    supervised = make_token(team_workspace, "supervised-agent", "creator", "SUPERVISED")
    cy_run = clients["cy"].post("/api/runs", json={"graph": {"1": {"class_type": "core.integer", "inputs": {"value": 1}},
                                                           "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}},
                                                 "project": film}).json()["run_id"]
    takes, run, graph = _calls(team_server, intern, [
        ("list_takes", {"project": film}), ("get_run", {"run_id": cy_run}),
        ("run_graph", {"graph": {"1": {"class_type": "media.load", "inputs": {"path": "/etc/passwd"}}}}),
    ])
    assert takes.is_error and takes.structured_content["error"]["code"] == "forbidden"
    assert run.is_error and run.structured_content["error"]["code"] == "forbidden"
    assert graph.is_error and graph.structured_content["error"]["code"] == "maturity_insufficient"
    for path in ("/etc/passwd", "../../../../etc/passwd", ".auteur/tokens.json"):
        (loaded,) = _calls(team_server, supervised, [("media_load", {"path": path})])
        # Refused at submit (the path check) or failed in the runner: never read.
        assert loaded.is_error, loaded.structured_content
        assert "root:" not in json.dumps(loaded.structured_content) and "sha256" not in json.dumps(
            loaded.structured_content)
        if not path.startswith("."):  # refused by its text at submit: the words, then the reason
            assert loaded.content[0].text.startswith(f"File path outside allowed directory: '{path}' ("), loaded.content
            assert loaded.structured_content["error"]["code"] == "path_forbidden"


def test_hostile_review_run_arguments_are_refused_in_words(
        team_server: ServerProcess, team_workspace: Any, clients: dict[str, httpx.Client]) -> None:
    agent = make_token(team_workspace, "review-agent", "creator", "INTERN")
    cy_run = clients["cy"].post("/api/runs", json={"graph": {"1": {"class_type": "core.integer", "inputs": {"value": 1}},
                                                           "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}}
                                ).json()["run_id"]
    answers = _calls(team_server, agent, [
        ("review_run", {"run_id": cy_run, "action": "approve"}),  # someone else's run
        ("review_run", {"run_id": "no-such-run", "action": "approve"}),
        ("review_run", {"run_id": cy_run, "action": "delete"}),
        ("review_run", {"run_id": cy_run, "action": "edit", "content": "x" * 200_001}),
        ("review_run", {"run_id": ["a"], "action": "approve"}),
    ])
    assert [answer.is_error for answer in answers] == [True] * 5
    assert answers[0].structured_content["error"]["code"] == "forbidden"
    assert answers[1].structured_content["error"]["code"] == "run_not_found"
