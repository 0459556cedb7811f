"""Every `/api` answer has a declared shape: each 2xx response of each operation in the OpenAPI
document names a schema with real fields, never a bare object (`dict[str, Any]`) or nothing, so
the editor's generated types cover every body it reads. File downloads are the only exceptions,
each listed with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from canvas_server.server.app import create_app
from canvas_server.server.packs import mount_pack_routes
from canvas_server.settings import Settings
from nodes.sdk import discover

JSON = "application/json"
# (method, path, media type) -> why that body has no JSON schema of its own.
NOT_JSON: dict[tuple[str, str, str], str] = {
    ("get", "/api/projects/{project}/files", "application/octet-stream"):
        "a file download: the file's own bytes and media type (a folder is listed as JSON)",
    ("get", "/api/packs/speaker/spotify/callback", "text/html"):
        "a page for the person whose browser Spotify sends back after its consent page",
}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def untyped_responses(document: dict[str, Any]) -> list[str]:
    """`METHOD path status media: why` for every /api 2xx body without a real schema."""
    components = document.get("components", {}).get("schemas", {})
    problems = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {})
                if status == "204" and not content:
                    continue  # no body
                where = f"{method.upper()} {path} {status}"
                if JSON not in content and not content:
                    problems.append(f"{where}: no content declared")
                for media, declared in content.items():
                    if media != JSON:
                        if (method, path, media) not in NOT_JSON:
                            problems.append(f"{where} {media}: not JSON and not a listed download")
                        continue
                    schema = _resolve(declared.get("schema") or {}, components)
                    if not schema.get("properties") and schema.get("type") != "array":
                        problems.append(f"{where}: {schema or 'no schema'} names no fields")
    return problems


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app with its packs' routes, as its lifespan mounts them once the packs are loaded."""
    settings = Settings(workspace=Path(tmp_path_factory.mktemp("typed-ws")))
    app = create_app(settings)
    mount_pack_routes(app, discover(), settings)
    return app


def test_every_api_answer_declares_a_schema_with_fields(app: FastAPI) -> None:
    document = app.openapi()
    assert len([path for path in document["paths"] if path.startswith("/api/")]) > 30
    assert untyped_responses(document) == []


def test_the_listed_download_exceptions_are_still_routes_of_the_app(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for method, path, media in NOT_JSON:
        assert media in paths[path][method]["responses"]["200"]["content"], (method, path, media)


def test_a_route_that_answers_a_plain_dict_is_reported() -> None:
    probe = FastAPI()

    @probe.get("/api/loose")
    def loose() -> dict[str, Any]:
        return {}

    @probe.get("/api/nothing", response_model=None)
    def nothing() -> Any:
        return None

    assert untyped_responses(probe.openapi()) == [
        "GET /api/loose 200: {'additionalProperties': True, 'type': 'object', "
        "'title': 'Response Loose Api Loose Get'} names no fields",
        "GET /api/nothing 200: no schema names no fields",
    ]
