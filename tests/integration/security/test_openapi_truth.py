"""The OpenAPI document tells the truth: error statuses and shape, real constraints, and a 405
whose `Allow` lists every method of the path."""

from __future__ import annotations

import httpx
import pytest

from ..server_harness import ServerProcess


@pytest.fixture(scope="module")
def schema(team_server: ServerProcess) -> dict:
    return httpx.get(f"{team_server.url}/openapi.json").json()


def test_every_api_operation_declares_the_error_shape(schema: dict) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= declared, (method, path, declared)
            content = operation["responses"]["404"]["content"]
            assert any(item["schema"].get("$ref", "").endswith("/ErrorBody") for item in content.values())


def test_the_schema_carries_real_constraints(schema: dict) -> None:
    components = schema["components"]["schemas"]
    assert components["NewProject"]["properties"]["name"]["minLength"] == 1
    assert components["RunSubmission"]["properties"]["graph"]["minProperties"] == 1


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/api/runs", "GET, HEAD, POST"),
    ("PUT", "/api/runs/abc", "DELETE, GET, HEAD"),
    ("DELETE", "/api/graphs/validate", "POST"),
])
def test_a_405_allows_every_method_of_the_path(
    clients: dict[str, httpx.Client], method: str, path: str, allow: str
) -> None:
    answer = clients["ada"].request(method, path)
    assert answer.status_code == 405 and answer.headers["allow"] == allow
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_a_signed_media_url_with_any_characters_is_a_403_not_a_500(team_server: ServerProcess) -> None:
    answer = httpx.get(f"{team_server.url}/media/signed/4179204221/%C3%97/x.png")
    assert answer.status_code == 403
