"""Requests the server must refuse with a clear 4xx, never a 500 or a silent acceptance, on both
apps (in-process): one body limit for every route, JSON no route can hold, over-long path
components, names that are not names, repeated or non-integer query numbers, non-number
manifest numbers, template ids, damaged files and an unwritable audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from canvas_server.comfy.app import create_comfy_app
from canvas_server.server import create_app
from canvas_server.settings import Settings

LONG = "a" * 256  # one byte over NAME_MAX
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hygiene")


@pytest.fixture(scope="module")
def apps(workspace: Path) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(workspace=workspace, runner_workers=1, max_request_mb=1)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as main:
        comfy = TestClient(create_comfy_app(app.state.lifecycle), base_url="http://127.0.0.1", raise_server_exceptions=False)
        assert main.post("/api/projects", json={"name": "Film"}).status_code == 201
        yield main, comfy


@pytest.fixture(scope="module")
def client(apps: tuple[TestClient, TestClient]) -> TestClient:
    return apps[0]


@pytest.fixture(scope="module")
def comfy(apps: tuple[TestClient, TestClient]) -> TestClient:
    return apps[1]


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    return dict(body["error"])


def _json(value: object) -> dict[str, Any]:
    return {"content": json.dumps(value).encode(), "headers": {"content-type": "application/json"}}


# ---- M5: one body limit for every route ------------------------------------------------

def test_project_routes_refuse_a_body_over_the_request_limit(client: TestClient) -> None:
    blob = "x" * (2 * MIB)
    workflow = {"nodes": [], "links": [], "extra": {"note": blob}}
    assert_error(client.put("/api/projects/Film/workflows/Big", json=workflow), 413, "request_too_large")
    assert_error(client.patch("/api/projects/Film", json={"description": blob}), 413, "request_too_large")
    assert_error(client.put("/api/projects/Film/documents/content", params={"path": "x.md"},
                            json={"content": blob}), 413, "request_too_large")
    assert client.get("/api/projects/Film").json()["description"] == ""


def test_an_asset_upload_keeps_its_own_larger_limit(client: TestClient) -> None:
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * MIB)
    answer = client.post("/api/projects/Film/assets", files={"file": ("big.png", image, "image/png")},
                         data={"category": "Objects"})
    assert answer.status_code == 201, answer.text


# ---- L1: 500s that are the client's mistake --------------------------------------------

@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", f"/api/projects/Film/files?path={LONG}", None),
    ("GET", f"/api/projects/Film/files?path=01_Assets/{LONG}", None),
    ("GET", f"/api/projects/Film/documents/content?path={LONG}", None),
    ("PUT", f"/api/projects/Film/documents/content?path={LONG}", {"content": "x"}),
    ("DELETE", f"/api/projects/Film/assets?path={LONG}", None),
    ("POST", "/api/projects/Film/git/commit", {"message": "x", "paths": [LONG]}),
])
def test_a_path_component_over_255_bytes_is_a_400(client: TestClient, method: str, url: str, body: Any) -> None:
    answer = client.request(method, url, **(_json(body) if body is not None else {}))
    assert_error(answer, 400, "path_too_long")


def test_a_path_over_path_max_in_short_components_is_a_400_not_a_logged_500(
    client: TestClient, comfy: TestClient
) -> None:
    deep = "/".join(["abcdefgh"] * 600)  # 5,400 bytes: over PATH_MAX (4,096), every name short
    # raise_server_exceptions: an error answered as a server error (and logged with its
    # traceback) would be raised here, even when its answer had the right status.
    main, adapter = (TestClient(app.app, base_url="http://127.0.0.1", raise_server_exceptions=True) for app in (client, comfy))
    assert_error(main.get("/api/projects/Film/files", params={"path": deep}), 400, "path_too_long")
    assert_error(adapter.get("/view", params={"filename": "x.png", "subfolder": deep, "type": "input"}),
                 400, "path_too_long")


def test_comfy_view_and_upload_refuse_over_long_names(comfy: TestClient) -> None:
    assert_error(comfy.get("/view", params={"filename": LONG, "type": "input"}), 400, "path_too_long")
    assert_error(comfy.get("/view", params={"filename": "x.png", "subfolder": LONG, "type": "input"}),
                 400, "path_too_long")
    assert_error(comfy.post("/upload/image", files={"image": (f"{LONG}.png", b"\x89PNG\r\n\x1a\n")}),
                 400, "path_too_long")
    assert_error(comfy.post("/upload/image", files={"image": ("a.png", b"x")}, data={"subfolder": LONG}),
                 400, "path_too_long")


def test_an_upload_into_a_subfolder_that_is_a_file_is_a_4xx(comfy: TestClient) -> None:
    assert comfy.post("/upload/image", files={"image": ("taken.png", b"x")}).status_code == 200
    answer = comfy.post("/upload/image", files={"image": ("b.png", b"y")}, data={"subfolder": "taken.png"})
    assert_error(answer, 400, "bad_request")


def test_json_nested_deeper_than_the_limit_is_a_400_on_both_apps(client: TestClient, comfy: TestClient) -> None:
    deep = b'{"prompt": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    assert_error(comfy.post("/prompt", content=deep), 400, "json_invalid")
    graph = b'{"graph": {"1": {"class_type": "core.text", "inputs": {"value": ' + b"[" * 150 + b"]" * 150 + b"}}}}"
    assert_error(client.post("/api/runs", content=graph, headers={"content-type": "application/json"}),
                 400, "json_invalid")


def test_a_lone_surrogate_is_refused_and_the_project_stays_readable(client: TestClient, comfy: TestClient) -> None:
    lone = b'{"description": "intro \\ud800 end"}'
    answer = client.patch("/api/projects/Film", content=lone, headers={"content-type": "application/json"})
    assert_error(answer, 400, "json_invalid")
    assert client.get("/api/projects/Film").status_code == 200
    prompt = b'{"prompt": {"1": {"class_type": "core.text", "inputs": {"value": "\\udc00"}}}}'
    assert_error(comfy.post("/prompt", content=prompt), 400, "json_invalid")
    paired = b'{"description": "a clapper \\ud83c\\udfac"}'  # a valid pair is text
    answer = client.patch("/api/projects/Film", content=paired, headers={"content-type": "application/json"})
    assert answer.status_code == 200 and answer.json()["description"] == "a clapper \U0001f3ac"


def test_a_damaged_workflow_file_reads_as_a_4xx(client: TestClient, workspace: Path) -> None:
    canvas = workspace / "Projects" / "Film" / "02_Source_Creative" / "Canvas"
    canvas.mkdir(parents=True, exist_ok=True)
    (canvas / "Broken.json").write_text('{"nodes": [', encoding="utf-8")
    (canvas / "List.json").write_text("[1, 2]", encoding="utf-8")
    (canvas / "Deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    for name in ("Broken", "List", "Deep"):
        assert_error(client.get(f"/api/projects/Film/workflows/{name}"), 422, "graph_invalid")


def test_an_audited_submit_with_an_unwritable_audit_log_is_a_503_and_queues_nothing(
    client: TestClient, comfy: TestClient, workspace: Path
) -> None:
    audit = workspace / ".auteur" / "audit.jsonl"
    audit.unlink(missing_ok=True)
    audit.mkdir(parents=True)  # as root a read-only folder is still writable: a folder in its place is not
    graph = {"1": {"class_type": "test.audited", "inputs": {"value": 1}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    try:
        before = client.get("/api/runs").json()["total"]
        error = assert_error(client.post("/api/runs", json={"graph": graph}), 503, "audit_unavailable")
        assert str(workspace) not in error["message"]
        assert comfy.post("/prompt", json={"prompt": graph}).status_code == 503
        assert client.get("/api/runs").json()["total"] == before
    finally:
        audit.rmdir()


TEXT = st.text(st.characters(categories=["L", "N", "P", "Zs", "Cs", "Cc"]), max_size=6)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8,
)


def nested(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES, depth=st.sampled_from([0, 3, 99, 101, 1500]))
def test_any_json_value_at_any_depth_is_never_a_5xx_on_either_app(
    client: TestClient, comfy: TestClient, value: object, depth: int
) -> None:
    body = nested(value, depth)
    requests = [
        (client, "PATCH", "/api/projects/Film", {"description": body}),
        (client, "PUT", "/api/projects/Film/workflows/Prop", {"nodes": [], "extra": body}),
        (client, "POST", "/api/runs", {"graph": {"1": {"class_type": "core.text", "inputs": {"value": body}}}}),
        (comfy, "POST", "/prompt", {"prompt": {"1": {"class_type": "core.text", "inputs": {"value": body}}}}),
    ]
    for app, method, url, payload in requests:
        answer = app.request(method, url, content=json.dumps(payload).encode(),  # ensure_ascii: \udXXX escapes
                             headers={"content-type": "application/json"})
        assert answer.status_code < 500, (method, url, answer.text[:300])
    assert client.get("/api/projects/Film").status_code == 200  # nothing stored makes a read fail


# ---- L3: one name rule -----------------------------------------------------------------

NOT_NAMES = ["Film\n", "Film.", "Film ", "project.json", "PROJECT.JSON", "nul", ".hidden", "-rf"]


@pytest.mark.parametrize("name", [*NOT_NAMES, "a/b"])
def test_a_project_name_that_is_not_a_plain_name_is_refused(client: TestClient, name: str) -> None:
    assert_error(client.post("/api/projects", json={"name": name}), 400, "name_invalid")


@pytest.mark.parametrize("name", [name for name in NOT_NAMES if name != "project.json"])  # `.json` is dropped
def test_a_workflow_name_that_is_not_a_plain_name_writes_no_file(
    client: TestClient, workspace: Path, name: str
) -> None:
    answer = client.put(f"/api/projects/Film/workflows/{quote(name, safe='')}", json={"nodes": []})
    assert_error(answer, 400, "name_invalid")
    canvas = workspace / "Projects" / "Film" / "02_Source_Creative" / "Canvas"
    assert not (canvas / f"{name}.json").exists()


def test_plain_names_with_inner_dots_and_spaces_are_still_names(client: TestClient) -> None:
    assert client.post("/api/projects", json={"name": "Film 2.1 final_cut-"}).status_code == 201
    assert client.put("/api/projects/Film/workflows/v1.2 rough", json={"nodes": []}).status_code == 200


# ---- L9: strict numbers ----------------------------------------------------------------

@pytest.mark.parametrize("query", ["offset=&offset=0.0", "offset=1&offset=2", "offset=0.0", "limit=5.5", "limit=1e3"])
def test_repeated_or_non_integer_query_numbers_are_a_400(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/api/runs?{query}"), 400, "query_invalid")


def test_integer_query_numbers_still_read(client: TestClient, comfy: TestClient) -> None:
    assert client.get("/api/runs?offset=0&limit=5").status_code == 200
    assert comfy.get("/history?max_items=3&offset=0").status_code == 200
    assert_error(comfy.get("/history?max_items=1.5"), 400, "query_invalid")


@pytest.mark.parametrize(("field", "value"), [("intensity", True), ("intensity", "0.5"), ("position", False)])
def test_a_manifest_number_must_be_a_json_number(client: TestClient, field: str, value: object) -> None:
    beat = {"name": "turn", "position": 0.5, "intensity": 0.5, field: value}
    answer = client.patch("/api/projects/Film", json={"narrative": {"emotionalBeats": [beat]}})
    assert_error(answer, 422, "request_invalid")
    beat[field] = 1  # an integer is a JSON number too
    assert client.patch("/api/projects/Film", json={"narrative": {"emotionalBeats": [beat]}}).status_code == 200


# ---- L10: template ids -----------------------------------------------------------------

def _template(name: str) -> dict[str, Any]:
    return {"name": name, "description": "", "version": "1", "parameters": [], "requires": [],
            "workflow": {"last_node_id": 0, "last_link_id": 0, "nodes": [], "links": [], "version": 0.4}}


def test_non_ascii_template_names_get_their_own_ids(client: TestClient) -> None:
    ids = []
    for name in ("Scène d'été", "夜の街", "Ночь"):
        answer = client.post("/api/templates", json=_template(name))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    assert ids == ["scène-d-été", "夜の街", "ночь"]
    listed = {item["id"]: item["name"] for item in client.get("/api/templates").json()["items"]}
    assert listed["夜の街"] == "夜の街" and listed["ночь"] == "Ночь"
    exported = client.get("/api/templates/夜の街/export")
    assert exported.status_code == 200 and exported.json()["name"] == "夜の街"


def test_a_different_template_with_the_same_id_is_a_409_not_an_overwrite(client: TestClient) -> None:
    assert client.post("/api/templates", json=_template("Rough Cut")).status_code == 201
    assert client.post("/api/templates", json=_template("Rough Cut")).status_code == 201  # same name: replaced
    error = assert_error(client.post("/api/templates", json=_template("rough-cut!")), 409, "template_exists")
    assert error["details"]["existing"] == "Rough Cut"
    assert client.get("/api/templates/rough-cut").json()["name"] == "Rough Cut"


# ---- L12: no untruthful OpenAPI document on the ComfyUI app ------------------------------

def test_the_comfy_app_serves_no_openapi_document(comfy: TestClient) -> None:
    assert comfy.get("/openapi.json").status_code == 404
    assert comfy.get("/docs").status_code == 404


def test_the_main_openapi_document_declares_the_submission_refusals(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/api/runs"]["post"]["responses"]
    assert {"400", "413", "429", "503"} <= set(responses)
