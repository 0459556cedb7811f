"""Hostile input on the human-review, timeline and 3D-asset routes (issue 22): a clear 4xx in the
one error shape, never a 500, no traceback or server path in the answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..gltf_models import cube_glb, cube_gltf
from ..server_harness import chain_prompt, wait_for_status


@pytest.fixture(scope="module")
def finished_run(clients: dict[str, httpx.Client]) -> str:
    run_id = clients["cy"].post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
    wait_for_status(clients["cy"], run_id, {"completed"})
    return str(run_id)


REVIEW_INPUTS: list[tuple[str, str, Any]] = [
    ("POST", "/review", {"action": "delete_everything"}),
    ("POST", "/review", {"action": "approve", "node_id": "../../etc"}),
    ("POST", "/review", {"action": "edit", "content": "x" * 200_001}),
    ("POST", "/review", {"action": "request_changes", "note": 5}),
    ("POST", "/review", ["approve"]),
    ("POST", "/review", {"action": "approve"}),  # the run waits for nothing: 409
]
JOBS_QUERIES = ["review=maybe", "status=exploded", "limit=0", "limit=100000", "offset=-1", f"agent={'x' * 300}"]


@pytest.mark.parametrize(("method", "suffix", "body"), REVIEW_INPUTS)
def test_hostile_review_decisions_are_a_clear_4xx(clients: dict[str, httpx.Client], finished_run: str,
                                                   method: str, suffix: str, body: Any) -> None:
    answer = clients["cy"].request(method, f"/api/runs/{finished_run}{suffix}", json=body)
    assert_clear_4xx(answer)


@pytest.mark.parametrize("query", JOBS_QUERIES)
def test_hostile_agent_job_filters_are_a_clear_4xx(clients: dict[str, httpx.Client], query: str) -> None:
    assert_clear_4xx(clients["cy"].get(f"/api/agents/jobs?{query}"))


def test_a_decision_about_an_unknown_run_is_a_404(clients: dict[str, httpx.Client]) -> None:
    answer = clients["cy"].post("/api/runs/no-such-run/review", json={"action": "approve"})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "run_not_found"


TIMELINE_INPUTS: list[tuple[str, str, Any]] = [
    ("POST", "", {"title": "x" * 201, "order": 1}),
    ("POST", "", {"title": "Inf", "order": "Infinity"}),
    ("POST", "", {"title": "Big", "order": 1e300}),
    ("POST", "", {"title": "Date", "date": "1200-13-45"}),
    ("POST", "", {"title": "Many", "order": 1, "participants": ["x"] * 201}),
    ("POST", "", {"title": "Path", "order": 1, "shots": ["../../../etc/passwd"]}),
    ("POST", "", {"title": "Obj", "order": 1, "scenes": [{"$ne": 1}]}),
    ("POST", "", "not an object"),
    ("PATCH", "/..%2F..%2Fproject.json", {"order": 1}),
    ("DELETE", "/no-such-event", None),
    ("GET", "?from=1e999", None),
    ("GET", "?from=nan", None),
    ("GET", f"?participant={'x' * 300}", None),
]


@pytest.mark.parametrize(("method", "suffix", "body"), TIMELINE_INPUTS)
def test_hostile_timeline_input_is_a_clear_4xx(clients: dict[str, httpx.Client], film: str,
                                               method: str, suffix: str, body: Any) -> None:
    answer = clients["cy"].request(method, f"/api/projects/{film}/timeline{suffix}", json=body)
    assert_clear_4xx(answer)


MODEL_UPLOADS: list[tuple[str, bytes, str]] = [
    ("escape.gltf", cube_gltf("../../../../.auteur/tokens.json"), "3D"),
    ("remote.gltf", cube_gltf("file:///etc/passwd"), "3D"),
    ("short.glb", cube_glb()[:-4], "3D"),  # its header's length is not the file's
    ("crate.glb", cube_glb(), "Music"),
    ("crate.glb", cube_glb(), "../3D"),
]


@pytest.mark.parametrize(("name", "content", "category"), MODEL_UPLOADS)
def test_hostile_3d_uploads_are_a_clear_4xx(clients: dict[str, httpx.Client], film: str,
                                            name: str, content: bytes, category: str) -> None:
    answer = clients["cy"].post(f"/api/projects/{film}/assets", data={"category": category},
                                files={"file": (name, content, "application/octet-stream")})
    assert_clear_4xx(answer)


def assert_clear_4xx(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert {"code", "message", "details"} <= error.keys()
    assert "Traceback" not in answer.text and "/tmp" not in answer.text
