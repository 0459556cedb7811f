"""Governance on a real server: Bearer tokens from `auteur tokens`, maturity 403s, audit log,
and the refusal to serve the network without tokens."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from function_runners.execute import principal_scratch

from .server_harness import (
    AUTEUR,
    ServerProcess,
    chain_prompt,
    connect,
    make_token,
    running_server,
    wait_for_status,
)


def auteur(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace)}
    return subprocess.run([*AUTEUR, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("ws")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
         "-pix_fmt", "yuv420p", str(workspace / "clip.mp4")],
        check=True, timeout=60,
    )
    return workspace


@pytest.fixture(scope="module")
def tokens(workspace: Path) -> dict[str, str]:
    return {
        "SUPERVISED": make_token(workspace, "reviewer", maturity="SUPERVISED"),
        "AUTONOMOUS": make_token(workspace, "editor", maturity="AUTONOMOUS"),
    }


@pytest.fixture(scope="module")
def server(workspace: Path, tokens: dict[str, str]) -> Iterator[ServerProcess]:
    with running_server(workspace) as server:
        yield server


def thumbnail_graph() -> dict[str, dict]:
    return {
        "1": {"class_type": "media.load", "inputs": {"path": "clip.mp4"}},
        "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0], "timestamp": "00:00:01"}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_supervised_token_gets_403_naming_the_autonomous_node(server: ServerProcess, tokens: dict[str, str]) -> None:
    response = httpx.post(f"{server.url}/api/runs", json={"graph": thumbnail_graph()},
                          headers=bearer(tokens["SUPERVISED"]), timeout=10)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "maturity_insufficient"
    assert "media.thumbnail requires AUTONOMOUS maturity; this token is SUPERVISED" in error["message"]
    assert error["details"]["nodes"] == [{"node_id": "2", "type": "media.thumbnail", "requires": "AUTONOMOUS"}]


def test_the_same_graph_runs_with_an_autonomous_token_and_is_audited(
    server: ServerProcess, tokens: dict[str, str], workspace: Path
) -> None:
    # A project-less run reads its principal's own scratch folder (the run roots).
    scratch = principal_scratch(workspace, "editor")
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(workspace / "clip.mp4", scratch / "clip.mp4")
    with httpx.Client(base_url=server.url, headers=bearer(tokens["AUTONOMOUS"]), timeout=10) as client:
        response = client.post("/api/runs", json={"graph": thumbnail_graph()})
        assert response.status_code == 202, response.text
        run_id = response.json()["run_id"]
        record = wait_for_status(client, run_id, {"completed", "failed"}, timeout=60)
    assert record["status"] == "completed", record["errors"]
    assert record["outputs"]["3"]["value"]["kind"] == "image"
    audit = [json.loads(line) for line in (workspace / ".auteur" / "audit.jsonl").read_text().splitlines()]
    entry = next(item for item in audit if item["run_id"] == run_id)
    assert entry["principal"] == "editor"
    assert {node["type"] for node in entry["nodes"]} == {"media.load", "media.thumbnail"}
    assert ["clip.mp4"] in [node["paths"] for node in entry["nodes"]]


def test_missing_or_unknown_tokens_get_401_on_http_and_websocket(server: ServerProcess) -> None:
    for headers in ({}, bearer("aut_nope_nope"), {"Authorization": "Basic abc"}):
        response = httpx.get(f"{server.url}/api/runs", headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"

    async def attempt() -> None:  # no token at all: tests/integration/security/test_ws_first_message_auth.py
        async with connect(server, "intruder", token="aut_nope_nope") as ws:
            await ws.recv()

    with pytest.raises(InvalidStatus):
        asyncio.run(attempt())


def test_websocket_accepts_a_bearer_token(server: ServerProcess, tokens: dict[str, str]) -> None:
    async def attempt() -> dict:
        async with connect(server, "reviewer-ui", token=tokens["SUPERVISED"]) as ws:
            return json.loads(await ws.recv())

    assert asyncio.run(attempt())["type"] == "heartbeat"


def test_revoked_token_is_refused_by_the_running_server(server: ServerProcess, workspace: Path) -> None:
    token = make_token(workspace, "temp", maturity="INTERN")
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=10) as client:
        run_id = client.post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
        wait_for_status(client, run_id, {"completed"})
        token_id = token.split("_")[1]
        assert auteur(workspace, "tokens", "revoke", token_id).returncode == 0
        assert client.get("/api/runs").status_code == 401
    listed = json.loads(auteur(workspace, "tokens", "list", "--json").stdout)
    assert {item["name"]: item["revoked"] for item in listed}["temp"] is True
    stored = (workspace / ".auteur" / "tokens.json").read_text()
    assert token not in stored and token.split("_", 2)[2] not in stored


def test_serving_the_network_without_tokens_refuses_to_start(tmp_path: Path) -> None:
    result = auteur(tmp_path, "serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "refusing to bind to 0.0.0.0" in result.stderr
    assert "auteur tokens create" in result.stderr
