"""Real litegraph files open in the editor and save back unchanged; the served build; the
generated TypeScript types match the server's schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from canvas_server.server.app import create_app
from canvas_server.settings import Settings

from .conftest import REPO, WEB, EditorPage

LITEGRAPH_FILES = sorted((REPO.parent / "shared" / "testdata" / "litegraph").glob("*.json"))


@pytest.mark.parametrize("path", LITEGRAPH_FILES, ids=lambda p: p.stem)
def test_every_shared_litegraph_file_opens_and_saves_back_unchanged(
    editor: EditorPage, project: str, path: Path
) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.drop_files(
        "[data-testid=canvas-host]",
        [(path.name, path.read_bytes(), "application/json")],
        at=(box["x"] + 300, box["y"] + 300),
    )
    editor.page.wait_for_function("(name) => window.__auteur.workflowName === name", arg=path.stem)
    editor.page.wait_for_timeout(200)  # a few frames drawn
    editor.shot(path.stem)
    assert editor.eval("() => window.__auteur.editor.isDirty()") is False
    editor.page.keyboard.press("Control+s")
    editor.page.locator("[data-testid=workflow-list] button", has_text=path.stem).wait_for()
    saved = httpx.get(
        f"{editor.server.url}/api/projects/{project}/workflows/{path.stem}", timeout=10
    ).json()
    if "nodes" in original:
        assert saved == original
    else:  # an API prompt opens as the workflow the server converts it to
        converted = httpx.post(
            f"{editor.server.url}/api/graphs/convert",
            json={"graph": original, "to": "workflow"},
            timeout=10,
        ).json()["graph"]
        assert saved == converted
        assert len(saved["nodes"]) == len(original)


def test_unknown_node_types_are_shown_missing_and_keep_their_values(
    editor: EditorPage, project: str
) -> None:
    path = next(p for p in LITEGRAPH_FILES if p.stem == "comfy_txt2img_sd15")
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    editor.drop_files(
        "[data-testid=canvas-host]",
        [(path.name, path.read_bytes(), "application/json")],
        at=(box["x"] + 300, box["y"] + 300),
    )
    banner = editor.page.locator("[data-testid=missing-banner]")
    banner.wait_for()
    assert "KSampler" in banner.inner_text()
    editor.shot("missing nodes")
    # An edit elsewhere makes litegraph serialise; the missing nodes keep their saved values.
    editor.page.get_by_role("button", name="Nodes", exact=True).click()
    editor.page.locator("[data-testid=palette-node][data-type='core.integer']").click()
    current = editor.eval("() => window.__auteur.editor.serialize()")
    original = json.loads(path.read_text(encoding="utf-8"))
    before = {str(n["id"]): n.get("widgets_values") for n in original["nodes"]}
    after = {str(n["id"]): n.get("widgets_values") for n in current["nodes"]}
    assert all(after[key] == value for key, value in before.items())


def test_the_built_editor_is_served_with_immutable_assets_and_a_revalidated_index(
    tmp_path: Path,
) -> None:
    dist = WEB / "dist"
    settings = Settings(
        workspace=tmp_path / "ws", runner_workers=1, web_dir=dist, load_plugins=["core"]
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        index = client.get("/")
        assert index.status_code == 200 and index.headers["cache-control"] == "no-cache"
        asset = next((dist / "assets").glob("*.js")).name
        assert f"/assets/{asset}" in index.text
        served = client.get(f"/assets/{asset}")
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        again = client.get(f"/assets/{asset}", headers={"if-none-match": served.headers["etag"]})
        assert again.status_code == 304
        assert client.get("/api/health").json()["status"] == "ok"


def test_regenerating_the_typescript_types_gives_the_committed_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "dump_web_schema.py"), str(tmp_path)], check=True
    )
    out = tmp_path / "api.ts"
    subprocess.run(
        [
            "node",
            "scripts/gen-types.mjs",
            str(tmp_path / "openapi.json"),
            str(tmp_path / "events.json"),
            str(out),
        ],
        check=True,
        cwd=WEB,
    )
    assert out.read_text(encoding="utf-8") == (WEB / "src" / "generated" / "api.ts").read_text(
        encoding="utf-8"
    ), (
        "web/src/generated/api.ts is stale: run `python scripts/dump_web_schema.py && (cd web && npm run gen:types)`"
    )


def test_my_workflows_lists_the_users_own_workflows_and_opens_one(editor: EditorPage, project: str) -> None:
    """A workflow in the user's folder (where ComfyUI's frontend saves with Ctrl+S) is listed
    under My workflows and opens on the canvas."""
    graph = {"last_node_id": 1, "last_link_id": 0, "links": [], "version": 0.4,
             "nodes": [{"id": 1, "type": "core.integer", "pos": [100, 100], "size": [200, 60], "widgets_values": [7]}]}
    saved = httpx.put(f"{editor.server.url}/api/workflows/from comfy", json=graph, timeout=10)
    assert saved.status_code == 200, saved.text
    editor.open(project)
    editor.page.locator("[data-testid=user-workflow-list] button", has_text="from comfy").click()
    editor.page.wait_for_function("(name) => window.__auteur.workflowName === name", arg="from comfy")
    opened = editor.eval("() => window.__auteur.editor.serialize().nodes.map(n => [n.type, n.widgets_values])")
    assert opened == [["core.integer", [7]]]
