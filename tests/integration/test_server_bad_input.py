"""Bad input gets a 4xx in the one error shape, never a 500: on a real server for the named
cases, in-process (ASGI) for the property-based tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from canvas_server.server import create_app
from canvas_server.settings import Settings

from .server_harness import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("ws"), {"AUTEUR_MAX_REQUEST_MB": "1"}) as server:
        yield server


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=20) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return dict(body["error"])


def test_malformed_json_is_a_400(client: httpx.Client) -> None:
    response = client.post("/api/runs", content=b'{"graph": {', headers={"content-type": "application/json"})
    assert_error(response, 400, "json_invalid")


def test_a_body_without_a_graph_is_a_422(client: httpx.Client) -> None:
    assert_error(client.post("/api/runs", json={"tier": "ultra"}), 422, "request_invalid")


def test_a_cycle_is_refused_naming_its_nodes(client: httpx.Client) -> None:
    graph = {
        "1": {"class_type": "core.add", "inputs": {"a": ["2", 0], "b": 1}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 1}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }
    error = assert_error(client.post("/api/runs", json={"graph": graph}), 422, "validation_failed")
    cycle = next(item for item in error["details"] if item["code"] == "cycle_detected")
    assert "1" in json.dumps(cycle) and "2" in json.dumps(cycle)


def test_unknown_node_types_and_wrong_value_types_are_all_reported(client: httpx.Client) -> None:
    graph = {
        "1": {"class_type": "vendor.teleport", "inputs": {}},
        "2": {"class_type": "core.integer", "inputs": {"value": "not a number"}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    }
    error = assert_error(client.post("/api/runs", json={"graph": graph}), 422, "validation_failed")
    codes = {(item["code"], item["node_id"]) for item in error["details"]}
    assert ("unknown_node_type", "1") in codes
    assert any(node_id == "2" and code in ("value_invalid", "type_mismatch") for code, node_id in codes)
    validated = client.post("/api/graphs/validate", json={"graph": graph}).json()
    assert validated["valid"] is False and len(validated["errors"]) >= 2


def test_a_graph_that_is_not_a_graph_is_a_422(client: httpx.Client) -> None:
    assert_error(client.post("/api/runs", json={"graph": {"nodes": "many"}}), 422, "graph_invalid")


def test_a_huge_body_is_a_413(client: httpx.Client) -> None:
    blob = "x" * (2 * 1024 * 1024)
    response = client.post("/api/runs", json={"graph": {"1": {"class_type": "core.text", "inputs": {"value": blob}}}})
    assert_error(response, 413, "request_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"graph": {"1": {"class_type": "core.text", "inputs": {"value": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}}}}'

    streamed = client.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
    assert_error(streamed, 413, "request_too_large")


def test_unknown_paths_methods_runs_and_params_use_the_error_shape(client: httpx.Client) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/nodes"), 405, "method_not_allowed")
    assert_error(client.get("/api/runs/does-not-exist"), 404, "run_not_found")
    assert_error(client.get("/api/runs", params={"limit": -1}), 422, "request_invalid")
    graph = {"1": {"class_type": "core.integer", "inputs": {"value": 1}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    assert_error(client.post("/api/runs", json={"graph": graph, "params": {"9.value": 3}}), 422, "param_invalid")
    assert_error(client.post("/api/runs", json={"graph": graph, "params": {"2.value": 3}}), 422, "param_invalid")


# ---- property-based, in-process --------------------------------------------------------

NODE_TYPES = st.sampled_from(["core.integer", "core.add", "core.show", "core.text", "core.join_text", "nope.x", ""])
NODE_IDS = st.sampled_from(["1", "2", "3", "4"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
LINK_OR_VALUE = st.one_of(st.tuples(NODE_IDS, st.integers(-1, 3)).map(list), VALUES)
PROMPTS = st.dictionaries(
    NODE_IDS,
    st.fixed_dictionaries({"class_type": NODE_TYPES, "inputs": st.dictionaries(
        st.sampled_from(["value", "a", "b", "separator", "x"]), LINK_OR_VALUE, max_size=3)}),
    max_size=4,
)
ANY_GRAPH = st.one_of(PROMPTS, st.dictionaries(st.text(max_size=6), VALUES, max_size=4))


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings_ = Settings(workspace=tmp_path_factory.mktemp("hyp"), runner_workers=1)
    with TestClient(create_app(settings_), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=ANY_GRAPH)
def test_random_graphs_never_make_validate_fail_with_a_5xx(app_client: TestClient, graph: dict[str, Any]) -> None:
    response = app_client.post("/api/graphs/validate", content=json.dumps({"graph": graph}),
                               headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["code"] in ("graph_invalid", "request_invalid")


def test_nan_and_infinity_are_refused_as_request_errors(app_client: TestClient) -> None:
    body = '{"graph": {"1": {"class_type": "core.float", "inputs": {"value": Infinity}}}}'
    for path in ("/api/runs", "/api/graphs/validate"):
        response = app_client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422 and response.json()["error"]["code"] == "request_invalid"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=ANY_GRAPH, params=st.dictionaries(st.text(max_size=6), VALUES, max_size=2))
def test_random_graphs_submitted_get_202_or_a_4xx_error(app_client: TestClient, graph: dict[str, Any], params: dict[str, Any]) -> None:
    response = app_client.post("/api/runs", content=json.dumps({"graph": graph, "params": params}),
                               headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code == 202:
        assert response.json()["status"] == "queued"
    else:
        assert 400 <= response.status_code < 500
        assert set(response.json()["error"]) == {"code", "message", "details"}
