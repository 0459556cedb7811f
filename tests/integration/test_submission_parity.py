"""The one submission path: `auteur run` and `POST /api/runs` refuse the same bad graph and
the same bad override with the same codes (both go through `canvas_server.graph.check`)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .server_harness import AUTEUR, ServerProcess, running_server

GOOD = {
    "1": {"class_type": "core.integer", "inputs": {"value": 2}},
    "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 3}},
    "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
}


def variant(**nodes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(GOOD)), **nodes}


BAD_GRAPHS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "unknown type": (variant(**{"4": {"class_type": "no.such", "inputs": {}}}), {"unknown_node_type"}),
    "missing input": (variant(**{"3": {"class_type": "core.show", "inputs": {}}}),
                      {"required_input_missing"}),
    "type mismatch": (variant(**{"5": {"class_type": "core.join_text", "inputs": {"a": ["1", 0], "b": "x"}},
                                 "6": {"class_type": "core.show", "inputs": {"value": ["5", 0]}}}),
                      {"type_mismatch"}),
    "out of range and cycle": (variant(**{"1": {"class_type": "core.integer", "inputs": {"value": "two"}},
                                          "7": {"class_type": "core.add", "inputs": {"a": ["8", 0], "b": 1}},
                                          "8": {"class_type": "core.add", "inputs": {"a": ["7", 0], "b": 1}}}),
                               {"value_invalid", "cycle_detected"}),
    "no output": ({"1": GOOD["1"]}, {"no_output_nodes"}),
}
BAD_OVERRIDES = {"missing node": {"9.value": "1"}, "not a number": {"1.value": "lots"},
                 "a link": {"2.a": "4"}, "unknown input": {"1.valu": "3"}}
MEDIA = {"1": {"class_type": "media.load", "inputs": {"path": "clip.mp4"}},
         "2": {"class_type": "media.thumbnail", "inputs": {"video": ["1", 0]}},
         "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}


def cli(workspace: Path, graph: dict[str, Any], *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    path = workspace / "graph.json"
    path.write_text(json.dumps(graph))
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace)}
    env.pop("AUTEUR_TOKEN", None)
    if token:
        env["AUTEUR_TOKEN"] = token
    return subprocess.run([*AUTEUR, "run", str(path), "--json", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parity")


@pytest.fixture(scope="module")
def intern_token(workspace: Path) -> str:
    result = subprocess.run([*AUTEUR, "tokens", "create", "--maturity", "INTERN", "--name", "student", "--json"],
                            env={**os.environ, "AUTEUR_WORKSPACE": str(workspace)}, capture_output=True,
                            text=True, timeout=60, check=True)
    return str(json.loads(result.stdout)["token"])


@pytest.fixture(scope="module")
def server(workspace: Path, intern_token: str) -> Iterator[ServerProcess]:
    with running_server(workspace) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess, intern_token: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {intern_token}"}
    with httpx.Client(base_url=server.url, timeout=10, headers=headers) as client:
        yield client


def error_codes(errors: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    return sorted((e["code"], e.get("node_id"), e.get("input")) for e in errors)


@pytest.mark.parametrize("case", list(BAD_GRAPHS))
def test_a_bad_graph_gets_the_same_errors_from_the_cli_and_the_server(
    case: str, workspace: Path, client: httpx.Client, intern_token: str
) -> None:
    graph, expected = BAD_GRAPHS[case]
    answer = client.post("/api/runs", json={"graph": graph})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "validation_failed"
    served = answer.json()["error"]["details"]
    local = cli(workspace, graph, token=intern_token)
    assert local.returncode == 1, local.stderr
    printed = json.loads(local.stdout)
    assert printed["status"] == "invalid"
    assert error_codes(printed["errors"]) == error_codes(served)
    assert {code for code, _, _ in error_codes(served)} == expected


@pytest.mark.parametrize("case", list(BAD_OVERRIDES))
def test_a_bad_override_gets_the_same_code_and_message_from_the_cli_and_the_server(
    case: str, workspace: Path, client: httpx.Client, intern_token: str
) -> None:
    params = BAD_OVERRIDES[case]
    answer = client.post("/api/runs", json={"graph": GOOD, "params": params})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "param_invalid"
    sets = [arg for key, value in params.items() for arg in ("--set", f"{key}={value}")]
    local = cli(workspace, GOOD, *sets, token=intern_token)
    assert local.returncode == 2
    assert f"error (param_invalid): {error['message']}" in " ".join(local.stderr.split())


def test_the_cli_gains_the_maturity_check_the_server_applies(
    workspace: Path, client: httpx.Client, intern_token: str
) -> None:
    answer = client.post("/api/runs", json={"graph": MEDIA})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "maturity_insufficient"
    local = cli(workspace, MEDIA, token=intern_token)
    assert local.returncode == 1
    refused = [e for e in json.loads(local.stdout)["errors"] if e["code"] == "maturity_insufficient"]
    expected = [("1", "SUPERVISED"), ("2", "AUTONOMOUS")]  # media.load reads files: SUPERVISED
    assert sorted((e["node_id"], e["details"]["required"]) for e in refused) == expected
    served = answer.json()["error"]["details"]["nodes"]
    assert sorted((n["node_id"], n["requires"]) for n in served) == expected
