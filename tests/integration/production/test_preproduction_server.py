"""On a real `auteur serve`: the screenplay template submitted over HTTP saves one payload take
per shot, and the manifest sync puts them in project.json and in the project tree."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx

from ..server_harness import running_server, wait_for_status

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "workspace_templates" / "graphs" / "screenplay_to_veo_payloads.json"
SCREENPLAY = REPO / "tests" / "data" / "screenplays" / "night_market.fountain"
SCRIPT = "02_Source_Creative/Scripts/night_market.fountain"


def takes_in(tree: dict[str, Any]) -> list[str]:
    found = [tree["path"]] if tree["kind"] == "take" else []
    for child in tree["children"]:
        found += takes_in(child)
    return found


def wait_for_takes(project_json: Path, count: int, timeout: float = 20.0) -> dict[str, Any]:
    """project.json once the manifest sync has mirrored `count` takes (it runs after the events)."""
    deadline = time.monotonic() + timeout
    while True:
        data: dict[str, Any] = json.loads(project_json.read_text(encoding="utf-8"))
        paths = [take["path"] for chapter in data["narrative"]["chapters"] for scene in chapter["scenes"]
                 for shot in scene["shots"] for take in shot["takes"]]
        if len(paths) >= count or time.monotonic() > deadline:
            return data
        time.sleep(0.1)


def test_payload_takes_reach_project_json_and_the_project_tree(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    with running_server(workspace) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        created = client.post("/api/projects", json={"name": "Film"})
        assert created.status_code == 201, created.text
        root = workspace / "Projects" / "Film"
        shutil.copy(SCREENPLAY, root / SCRIPT)
        submitted = client.post("/api/runs", json={
            "graph": json.loads(TEMPLATE.read_text()), "project": "Film", "params": {"3.script": SCRIPT}})
        assert submitted.status_code in (200, 201, 202), submitted.text
        run = wait_for_status(client, submitted.json()["run_id"], {"completed", "failed"})
        assert run["status"] == "completed", run["errors"]

        data = wait_for_takes(root / "project.json", 5)
        chapter = next(c for c in data["narrative"]["chapters"] if c["number"] == 1)
        takes = [take["path"] for scene in chapter["scenes"] for shot in scene["shots"] for take in shot["takes"]]
        assert len(takes) == 5 and all((root / path).is_file() for path in takes)
        assert [len(scene["shots"]) for scene in chapter["scenes"]] == [2, 2, 1]

        tree = client.get(f"/api/projects/{created.json()['id']}/tree")
        assert tree.status_code == 200, tree.text
        assert sorted(takes_in(tree.json())) == sorted(takes)
