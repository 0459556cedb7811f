"""The ComfyUI routes are governed exactly as `/api/runs`, on a real server with tokens of
different principals: roles and maturity on `/prompt`, ownership of runs on `/history`,
`/queue` and `/interrupt`, project rights on `/view` and `extra_data.auteur.project`, and a
clientId bound to the principal that first used it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websocket

from ..server_harness import ServerProcess, chain_prompt, free_port, make_token
from .comfy_client import ComfyClient

# name → (role, maturity)
PRINCIPALS = {"ada": ("admin", "AUTONOMOUS"), "cy": ("creator", "AUTONOMOUS"),
              "sue": ("creator", "SUPERVISED"), "vic": ("viewer", "AUTONOMOUS")}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("comfy-team")


@pytest.fixture(scope="module")
def tokens(workspace: Path) -> dict[str, str]:
    return {name: make_token(workspace, name, role, maturity) for name, (role, maturity) in PRINCIPALS.items()}


@pytest.fixture(scope="module")
def server(workspace: Path, tokens: dict[str, str]) -> Iterator[ServerProcess]:
    server = ServerProcess(workspace, comfyui_port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def film(server: ServerProcess, tokens: dict[str, str]) -> str:
    """Project `Film`, owned by cy (sue is no member)."""
    answer = httpx.post(f"{server.url}/api/projects", json={"name": "Film"},
                        headers={"Authorization": f"Bearer {tokens['cy']}"}, timeout=60)
    assert answer.status_code == 201, answer.text
    return "Film"


def client(server: ServerProcess, tokens: dict[str, str], name: str, client_id: str | None = None) -> ComfyClient:
    return ComfyClient(f"127.0.0.1:{server.comfyui_port}", client_id, token=tokens[name])


def sleeper(seconds: float) -> dict[str, Any]:
    return {"1": {"class_type": "test.sleep", "inputs": {"seconds": seconds, "value": uuid.uuid4().hex}},
            "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}


def _forbidden(answer: tuple[int, Any]) -> dict[str, Any]:
    status, body = answer
    assert status == 403, body
    assert body["error"]["type"] == "forbidden" and body["error"]["extra_info"]["auteur_code"] == "forbidden"
    error: dict[str, Any] = body["error"]
    return error


def test_a_supervised_token_gets_403_naming_each_autonomous_node(server: ServerProcess, tokens: dict[str, str]) -> None:
    prompt = {"1": {"class_type": "media.load", "inputs": {"path": "clip.mp4"}},
              "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0]}},
              "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}
    status, body = client(server, tokens, "sue").request("/prompt", {"prompt": prompt})
    assert status == 403, body
    errors = body["node_errors"]["2"]["errors"]
    assert [e["type"] for e in errors] == ["maturity_insufficient"]
    assert "media.thumbnail requires AUTONOMOUS maturity; this token is SUPERVISED" in errors[0]["details"]
    assert errors[0]["extra_info"]["auteur_details"] == {"type": "media.thumbnail", "required": "AUTONOMOUS"}


def test_a_viewer_may_read_but_never_queue_or_upload(server: ServerProcess, tokens: dict[str, str]) -> None:
    viewer = client(server, tokens, "vic")
    error = _forbidden(viewer.request("/prompt", {"prompt": chain_prompt()}))
    assert "run.submit needs the creator role; vic is viewer" in error["message"]
    with pytest.raises(Exception, match="403"):
        viewer.upload("still.png", b"\x89PNG")
    assert viewer.request("/queue")[0] == 200 and viewer.request("/object_info/core.add")[0] == 200


def test_history_queue_and_interrupt_of_another_principals_prompt_are_refused(
    server: ServerProcess, tokens: dict[str, str]
) -> None:
    owner, other, admin = (client(server, tokens, name) for name in ("cy", "sue", "ada"))
    owner.connect()
    try:
        finished = owner.queue_prompt(chain_prompt(7, 1))["prompt_id"]
        owner.wait(finished)
        running = owner.queue_prompt(sleeper(60))["prompt_id"]
        while not ((m := owner.receive())["type"] == "executing" and m["data"]["node"] == "1"):
            pass
        _forbidden(other.request(f"/history/{finished}"))
        _forbidden(other.request("/interrupt", {"prompt_id": running}))
        _forbidden(other.request("/queue", {"delete": [running]}))
        _forbidden(other.request("/history", {"delete": [finished]}))
        # Bulk operations skip what is not the caller's, as GET /api/runs lists only its own.
        assert other.request("/interrupt", {})[0] == 200
        assert other.request("/history", {"clear": True})[0] == 200
        assert finished not in other.request("/history")[1]
        assert running not in str(other.request("/queue")[1])
        assert running in [item[1] for item in owner.request("/queue")[1]["queue_running"]]
        assert finished in owner.request("/history")[1] and finished in admin.request("/history")[1]
        assert admin.request(f"/history/{finished}")[1][finished]["status"]["completed"] is True
        # The admin may stop anyone's prompt; the owner sees it end.
        assert admin.request("/interrupt", {"prompt_id": running})[0] == 200
        kinds = [m["type"] for m in owner.wait(running)]
        assert "execution_interrupted" in kinds
    finally:
        owner.close()


def test_a_deleted_prompt_id_is_never_given_to_another_run(server: ServerProcess, tokens: dict[str, str]) -> None:
    """Its persisted events would be replayed to the new owner (outputs included)."""
    owner, other = client(server, tokens, "cy"), client(server, tokens, "sue")
    prompt_id = f"reuse-{uuid.uuid4().hex}"
    owner.connect()
    try:
        owner.queue_prompt(chain_prompt(5, 5), prompt_id=prompt_id)
        owner.wait(prompt_id)
    finally:
        owner.close()
    assert owner.request("/history", {"delete": [prompt_id]})[0] == 200
    assert owner.request(f"/history/{prompt_id}") == (200, {})
    for caller in (other, owner):
        status, answer = caller.request("/prompt", {"prompt": chain_prompt(), "prompt_id": prompt_id})
        assert status == 400 and "already used" in json.dumps(answer), answer
    runs = httpx.get(f"{server.url}/api/runs", headers={"Authorization": f"Bearer {tokens['sue']}"}).json()["items"]
    assert prompt_id not in [run["run_id"] for run in runs]


def test_a_client_id_is_bound_to_the_principal_that_first_used_it(server: ServerProcess, tokens: dict[str, str]) -> None:
    owner = client(server, tokens, "cy")
    owner.queue_prompt(chain_prompt(9, 9))
    thief = client(server, tokens, "sue", owner.client_id)
    error = _forbidden(thief.request("/prompt", {"prompt": chain_prompt(), "client_id": owner.client_id}))
    assert "belongs to another principal" in error["message"]
    with pytest.raises(websocket.WebSocketException):
        thief.connect(timeout=10)
        thief.receive()  # the server closes the socket with 1008 before a first message


def test_extra_data_runs_a_prompt_in_a_project_at_a_tier(
    server: ServerProcess, tokens: dict[str, str], film: str
) -> None:
    owner = client(server, tokens, "cy")
    owner.connect()
    try:
        extra = {"extra_data": {"auteur": {"project": film, "tier": "low"}}}
        prompt_id = owner.queue_prompt(chain_prompt(3, 4), **extra)["prompt_id"]
        assert "execution_success" in [m["type"] for m in owner.wait(prompt_id)]
    finally:
        owner.close()
    run = httpx.get(f"{server.url}/api/runs/{prompt_id}", headers={"Authorization": f"Bearer {tokens['cy']}"}).json()
    assert (run["project"], run["tier"], run["principal"]) == (film, "low", "cy")
    outsider = client(server, tokens, "sue")
    _forbidden(outsider.request("/prompt", {"prompt": chain_prompt(), **extra}))
    status, body = owner.request("/prompt", {"prompt": chain_prompt(), "extra_data": {"auteur": {"project": "../x"}}})
    assert status == 404 and body["error"]["type"] == "project_not_found"
    status, body = owner.request("/prompt", {"prompt": chain_prompt(), "extra_data": {"auteur": {"tier": "ultra"}}})
    assert status == 400 and body["error"]["type"] == "invalid_prompt"


def test_view_checks_project_rights_as_the_files_route_does(
    server: ServerProcess, tokens: dict[str, str], film: str
) -> None:
    query = f"/view?filename=project.json&subfolder=Projects/{film}&type=output"
    status, body = client(server, tokens, "cy").request(query)
    assert status == 200 and body["name"] == film
    _forbidden(client(server, tokens, "sue").request(query))
    # No existence probe: a missing file of a project one may not read is a 403 too.
    _forbidden(client(server, tokens, "sue").request(f"/view?filename=nope.txt&subfolder=Projects/{film}&type=output"))
