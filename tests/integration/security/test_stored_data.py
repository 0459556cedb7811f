"""Regression tests for the holes that reached outside a project or corrupted it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from ..server_harness import chain_prompt


def test_a_run_project_that_traverses_is_a_404_never_a_path(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    outside = team_workspace.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "project.json").write_text(json.dumps({"name": "outside", "schemaVersion": 1}))
    for name in ("../../outside", "../outside", "/etc", "Nope"):
        answer = clients["ada"].post("/api/runs", json={"graph": chain_prompt(), "project": name})
        assert answer.status_code == 404, (name, answer.text)
        assert answer.json()["error"]["code"] == "project_not_found"


def test_listings_never_stat_through_a_symlink_that_leaves_the_project(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    assert clients["ada"].post("/api/projects", json={"name": "Links"}).status_code == 201
    folder = team_workspace / "Projects" / "Links" / "01_Assets"
    secret = team_workspace.parent / "secret.bin"
    secret.write_bytes(b"x" * 12345)
    os.symlink(secret, folder / "escape.bin")
    os.symlink(folder / "missing", folder / "dangling")
    entries = {entry["name"]: entry for entry in
               clients["ada"].get("/api/projects/Links/files", params={"path": "01_Assets"}).json()["entries"]}
    assert entries["escape.bin"]["kind"] == "forbidden"
    assert entries["escape.bin"]["size"] is None
    assert entries["dangling"]["kind"] == "broken"
    assert "12345" not in json.dumps(entries)


def test_a_rejected_patch_leaves_project_json_byte_identical(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    assert clients["ada"].post("/api/projects", json={"name": "Patched"}).status_code == 201
    manifest = team_workspace / "Projects" / "Patched" / "project.json"
    before = manifest.read_bytes()
    for body in ({"narrative": None}, {"settings": None}, {"quality": None}, {"narrative": {"chapters": "x"}}):
        answer = clients["ada"].patch("/api/projects/Patched", json=body)
        assert 400 <= answer.status_code < 500, (body, answer.text)
        assert manifest.read_bytes() == before, body
    assert clients["ada"].get("/api/projects/Patched").status_code == 200
    assert "Patched" in {item["name"] for item in clients["ada"].get("/api/projects").json()["items"]}


def test_a_damaged_project_is_still_listed_with_its_error(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    assert clients["ada"].post("/api/projects", json={"name": "Damaged"}).status_code == 201
    (team_workspace / "Projects" / "Damaged" / "project.json").write_text("{half")
    listed = {item["name"]: item for item in clients["ada"].get("/api/projects").json()["items"]}
    assert listed["Damaged"]["error"]
    assert str(team_workspace) not in listed["Damaged"]["error"]
    opened = clients["ada"].get("/api/projects/Damaged")
    assert opened.status_code == 409
    assert str(team_workspace) not in opened.text
