"""The routes ComfyUI's web frontend calls, in ComfyUI's shapes, on a real server with two
principals: neither ever sees the other's settings, files, jobs or log lines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from function_runners.execute import principal_scratch

from ..server_harness import ServerProcess, chain_prompt, free_port, make_token

PRINCIPALS = {"ann": ("creator", "AUTONOMOUS"), "bob": ("creator", "AUTONOMOUS")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, httpx.Client]]]:
    workspace: Path = tmp_path_factory.mktemp("comfy-frontend-routes")
    tokens = {name: make_token(workspace, name, role, maturity) for name, (role, maturity) in PRINCIPALS.items()}
    server = ServerProcess(workspace, comfyui_port=free_port()).start()
    clients = {name: httpx.Client(base_url=server.comfy_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
               for name, token in tokens.items()}
    try:
        yield server, clients
    finally:
        for each in clients.values():
            each.close()
        server.stop()


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_settings_are_kept_per_principal_and_sent_untyped_as_the_frontend_does(server: Any) -> None:
    _, clients = server
    ann, bob = clients["ann"], clients["bob"]
    assert _ok(ann.get("/api/users")) == {"storage": "server", "migrated": True}
    assert _ok(ann.post("/api/settings/Comfy.ColorPalette", content=b'"light"')) == {}  # no content type
    assert _ok(ann.post("/api/settings", json={"Comfy.Locale": "fr", "Comfy.Grid": 8})) == {}
    assert _ok(ann.get("/api/settings")) == {"Comfy.ColorPalette": "light", "Comfy.Locale": "fr", "Comfy.Grid": 8}
    assert _ok(ann.get("/api/settings/Comfy.Locale")) == "fr"
    assert _ok(bob.get("/api/settings")) == {}
    assert _ok(bob.get("/api/settings/Comfy.Locale")) is None
    refused = ann.post("/api/settings/x", content=b"{not json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "json_invalid"


def test_userdata_is_each_principals_own_folder(server: Any) -> None:
    _, clients = server
    ann, bob = clients["ann"], clients["bob"]
    workflow = b'{"nodes": [], "links": [], "title": "\xc3\xa9t\xc3\xa9"}'
    assert _ok(ann.post("/api/userdata/workflows%2Fa.json", content=workflow)) == "workflows/a.json"
    assert ann.post("/api/userdata/workflows%2Fa.json?overwrite=false", content=b"{}").status_code == 409
    assert ann.get("/api/userdata/workflows%2Fa.json").content == workflow
    assert _ok(ann.get("/api/userdata", params={"dir": "workflows"})) == ["a.json"]
    full = _ok(ann.get("/api/userdata", params={"dir": "workflows", "full_info": "true"}))
    assert full[0]["path"] == "a.json" and full[0]["size"] == len(workflow)
    v2 = _ok(ann.get("/api/v2/userdata", params={"path": "workflows"}))
    assert [(item["name"], item["type"]) for item in v2] == [("a.json", "file")]
    moved = _ok(ann.post("/api/userdata/workflows%2Fa.json/move/workflows%2Fb.json?full_info=true"))
    assert moved["path"] == "workflows/b.json"
    assert _ok(bob.get("/api/userdata", params={"dir": "workflows"})) == []
    assert bob.get("/api/userdata/workflows%2Fb.json").status_code == 404
    for hostile in ("..%2F..%2Fauth.json", "%2Fetc%2Fpasswd", "workflows%2F..%2F..%2Fx"):
        answer = ann.get(f"/api/userdata/{hostile}")
        assert answer.status_code in (403, 404) and "error" in answer.json()
    assert ann.delete("/api/userdata/workflows%2Fb.json").status_code == 204
    assert _ok(ann.get("/api/userdata", params={"dir": "workflows"})) == []


def _wait_done(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = _ok(client.get(f"/api/jobs/{job_id}"))
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_workflows_saved_in_either_frontend_are_listed_and_opened_in_the_other(server: Any) -> None:
    process, clients = server
    ann, bob = clients["ann"], clients["bob"]
    main = {name: httpx.Client(base_url=process.url, headers=dict(client.headers), timeout=30)
            for name, client in clients.items()}
    graph = {"last_node_id": 1, "last_link_id": 0, "nodes": [{"id": 1, "type": "core.integer", "pos": [0, 0],
             "size": [200, 60], "widgets_values": [4]}], "links": [], "version": 0.4, "extra": {"note": "café"}}
    # ComfyUI's Ctrl+S → our editor's "My workflows"; ours → ComfyUI's workflow list.
    assert _ok(ann.post("/api/userdata/workflows%2Fsub%2Ffrom%20comfy.json", json=graph)) == "workflows/sub/from comfy.json"
    mine = _ok(main["ann"].get("/api/workflows"))["items"]
    assert [item["name"] for item in mine] == ["sub/from comfy"]
    assert _ok(main["ann"].get("/api/workflows/sub/from comfy"))["extra"] == {"note": "café"}
    assert _ok(main["bob"].get("/api/workflows"))["items"] == []
    assert main["bob"].get("/api/workflows/sub/from comfy").status_code == 404
    assert _ok(main["ann"].put("/api/workflows/from editor", json=graph))["path"] == "workflows/from editor.json"
    listed = _ok(ann.get("/api/userdata", params={"dir": "workflows", "recurse": "true"}))
    assert {"sub/from comfy.json", "from editor.json"} <= set(listed)
    assert main["ann"].put("/api/workflows/..%2F..%2Fescape", json=graph).status_code in (403, 404)
    # A project's workflows are a folder of ComfyUI's list, read and saved through the project.
    assert main["ann"].post("/api/projects", json={"name": "AnnFilm"}).status_code == 201
    assert main["ann"].put("/api/projects/AnnFilm/workflows/cut", json=graph).status_code == 200
    listed = _ok(ann.get("/api/userdata", params={"dir": "workflows", "recurse": "true", "full_info": "true"}))
    assert "Projects/AnnFilm/cut.json" in [entry["path"] for entry in listed]
    assert "Projects/AnnFilm/cut.json" not in _ok(bob.get("/api/userdata", params={"dir": "workflows", "recurse": "true"}))
    assert ann.get("/api/userdata/workflows%2FProjects%2FAnnFilm%2Fcut.json").json()["extra"] == {"note": "café"}
    assert bob.get("/api/userdata/workflows%2FProjects%2FAnnFilm%2Fcut.json").status_code == 403
    saved = ann.post("/api/userdata/workflows%2FProjects%2FAnnFilm%2Fcut%202.json?full_info=true", json=graph)
    assert _ok(saved)["path"] == "workflows/Projects/AnnFilm/cut 2.json"
    names = [item["name"] for item in _ok(main["ann"].get("/api/projects/AnnFilm/workflows"))["items"]]
    assert set(names) == {"cut", "cut 2"}
    assert bob.post("/api/userdata/workflows%2FProjects%2FAnnFilm%2Fx.json", json=graph).status_code == 403
    assert ann.delete("/api/userdata/workflows%2FProjects%2FAnnFilm%2Fcut.json").status_code == 403
    assert ann.post("/api/userdata/workflows%2FProjects%2Fnot-a-workflow.json", json=graph).status_code == 403
    for client in main.values():
        client.close()


def test_jobs_list_filter_page_and_cancel_only_the_callers_runs(server: Any) -> None:
    _, clients = server
    ann, bob = clients["ann"], clients["bob"]
    ids = [_ok(ann.post("/api/prompt", json={"prompt": chain_prompt(n, 3)}))["prompt_id"] for n in (1, 2)]
    done = [_wait_done(ann, job_id) for job_id in ids]
    assert [job["status"] for job in done] == ["completed", "completed"]
    assert done[0]["outputs"]["3"] == {"text": ["4"]}
    page = _ok(ann.get("/api/jobs", params={"status": "completed", "limit": 1, "sort_order": "asc"}))
    assert [job["id"] for job in page["jobs"]] == ids[:1]
    assert page["pagination"] == {"offset": 0, "limit": 1, "total": 2, "has_more": True}
    assert _ok(bob.get("/api/jobs"))["jobs"] == []
    assert bob.get(f"/api/jobs/{ids[0]}").status_code == 403
    assert bob.post("/api/jobs/cancel", json={"job_ids": ids}).status_code == 403
    assert _ok(ann.post(f"/api/jobs/{ids[0]}/cancel")) == {"cancelled": [ids[0]]}  # finished: nothing to stop
    bad = ann.get("/api/jobs", params={"status": "sleeping"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "query_invalid"


def test_templates_and_the_frontends_other_start_routes_answer_in_comfyuis_shapes(server: Any) -> None:
    _, clients = server
    ann = clients["ann"]
    index = _ok(ann.get("/templates/index.json"))
    names = [item["name"] for item in index[0]["templates"]]
    assert "add_two_numbers" in names
    workflow = _ok(ann.get("/templates/add_two_numbers.json"))
    assert {"nodes", "links"} <= workflow.keys()
    card = ann.get("/templates/add_two_numbers-1.webp")
    assert card.status_code == 200 and card.content[8:12] == b"WEBP"
    assert ann.get("/templates/no_such-1.webp").status_code == 404
    assert _ok(ann.get("/api/workflow_templates")) == {}
    assert _ok(ann.get("/api/i18n")) == {}
    assert _ok(ann.get("/api/experiment/models")) == []
    assert _ok(ann.get("/api/global_subgraphs")) == {}
    assert _ok(ann.post("/api/free", json={"unload_models": True})) == {}
    assert _ok(ann.get("/api/extensions")) == ["/extensions/auteur/text_outputs.js"]
    assert b"registerExtension" in ann.get("/extensions/auteur/text_outputs.js").content
    logs = _ok(ann.get("/internal/logs/raw"))
    assert set(logs) == {"entries", "size"} and all(set(entry) == {"t", "m"} for entry in logs["entries"])
    assert _ok(ann.patch("/internal/logs/subscribe", json={"enabled": True, "clientId": "x"})) == {}


def test_a_file_in_the_callers_own_folder_is_named_so_that_view_serves_it(server: Any) -> None:
    """A project-less run's media outside the uploads (the caller's scratch folder) is named
    by its workspace path, so the frontend's preview of it loads (it was a 404)."""
    process, clients = server
    ann, bob = clients["ann"], clients["bob"]
    clip = principal_scratch(process.workspace, "ann") / "media" / "still.png"
    clip.parent.mkdir(parents=True, exist_ok=True)
    clip.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                   "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"))
    prompt = {"1": {"class_type": "media.load", "inputs": {"path": "media/still.png"}},
              "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    job = _wait_done(ann, _ok(ann.post("/api/prompt", json={"prompt": prompt}))["prompt_id"])
    assert job["status"] == "completed", job
    (entry,) = job["outputs"]["2"]["images"]
    assert entry["type"] == "output" and entry["subfolder"].startswith("Scratch/")
    shown = ann.get("/api/view", params=entry)
    assert shown.status_code == 200 and shown.content == clip.read_bytes()
    assert bob.get("/api/view", params=entry).status_code == 403


def test_the_log_panel_shows_a_principal_the_lines_of_its_own_runs_and_no_others(server: Any) -> None:
    _, clients = server
    ann, bob = clients["ann"], clients["bob"]
    mine = _ok(ann.post("/api/prompt", json={"prompt": chain_prompt(7, 8)}))["prompt_id"]
    _wait_done(ann, mine)
    lines = [entry["m"] for entry in _ok(ann.get("/internal/logs/raw"))["entries"]]
    about = [line for line in lines if mine in line]
    assert [line.split(mine, 1)[1].split()[0] for line in about] == ["queued", "started", "completed"], lines
    assert not any(mine in entry["m"] for entry in _ok(bob.get("/internal/logs/raw"))["entries"])


def test_an_unknown_api_route_is_a_404_in_comfyuis_shape_logged_once(server: Any) -> None:
    process, clients = server
    for _ in range(3):
        answer = clients["ann"].post("/api/manager/queue/start", json={})
        assert answer.status_code == 404
        assert answer.json()["error"]["type"] == "not_found" and answer.json()["node_errors"] == {}
    assert clients["ann"].get("/api/userdata/comfy.templates.json").status_code == 200  # known routes still answer
    logged = process.log.read_text().count("unknown route /api/manager/queue/start")
    assert logged == 1
