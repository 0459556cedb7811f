"""Regression tests for the holes that reached outside a project or corrupted it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from ..server_harness import chain_prompt
from .conftest import auteur


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


def test_a_damaged_project_is_repaired_from_its_last_valid_commit(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    cy = clients["cy"]
    assert cy.post("/api/projects", json={"name": "Mended"}).status_code == 201
    assert cy.put("/api/projects/Mended/members/vic", json={"role": "viewer"}).status_code == 200
    assert cy.patch("/api/projects/Mended", json={"description": "committed"}).status_code == 200
    assert cy.post("/api/projects/Mended/git/commit", json={"message": "describe"}).status_code in (200, 201)
    assert cy.post("/api/projects/Mended/repair").json()["error"]["code"] == "project_intact"
    manifest = team_workspace / "Projects" / "Mended" / "project.json"
    manifest.write_text('{"name": "Mended", "schemaVersion": 1, "narrative": null}')

    listed = {item["name"]: item for item in clients["ada"].get("/api/projects").json()["items"]}
    assert listed["Mended"]["error"] and listed["Mended"]["id"] is None
    assert cy.get("/api/projects/Mended").status_code == 409
    for outsider in ("vic", "olga"):  # a viewer member, a creator who is no member
        refused = clients[outsider].post("/api/projects/Mended/repair")
        assert refused.status_code == 403, refused.text
    assert clients["ada"].post("/api/projects/Nowhere/repair").status_code == 404

    repaired = cy.post("/api/projects/Mended/repair")
    assert repaired.status_code == 200, repaired.text
    assert repaired.json()["commit_message"] == "describe"
    project = cy.get("/api/projects/Mended")
    assert project.status_code == 200 and project.json()["description"] == "committed"
    assert project.json()["members"] == {"vic": "viewer"}
    assert {item["name"]: item for item in cy.get("/api/projects").json()["items"]}["Mended"]["error"] is None


def test_auteur_project_repair_restores_project_json_from_git(
    clients: dict[str, httpx.Client], team_workspace: Path,
) -> None:
    assert clients["cy"].post("/api/projects", json={"name": "Mended by hand"}).status_code == 201
    (team_workspace / "Projects" / "Mended by hand" / "project.json").write_text("{half")
    listed = auteur(team_workspace, "project", "list", "--json")
    assert next(item["error"] for item in json.loads(listed.stdout) if item["name"] == "Mended by hand")

    result = auteur(team_workspace, "project", "repair", "Mended by hand")
    assert result.returncode == 0, result.stderr
    assert "repaired Mended by hand" in result.stdout
    assert json.loads(auteur(team_workspace, "project", "show", "Mended by hand").stdout)["name"] == "Mended by hand"
    again = auteur(team_workspace, "project", "repair", "Mended by hand")
    assert again.returncode == 1 and "project_intact" in again.stderr
    missing = auteur(team_workspace, "project", "repair", "../etc")
    assert missing.returncode == 1 and "name_invalid" in missing.stderr
