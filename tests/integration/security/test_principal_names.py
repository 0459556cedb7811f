"""Ownership follows a stable principal (issue 19, M4 and L6): CLI-made projects have an owner,
a token name is never reused (so nobody inherits a revoked token's projects), and a loopback
server whose tokens are all revoked stays locked until `auteur tokens reset-local`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from ..server_harness import ServerProcess, make_token
from .conftest import auteur


def test_cli_projects_belong_to_the_local_user_or_the_named_owner_not_to_every_token(tmp_path: Path) -> None:
    ana = make_token(tmp_path, "ana", "creator")
    made = auteur(tmp_path, "project", "new", "Quiet Film", "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["owner"] == "local"
    owned = auteur(tmp_path, "project", "new", "Ana Film", "--owner", "ana", "--json")
    assert json.loads(owned.stdout)["owner"] == "ana"
    assert auteur(tmp_path, "project", "new", "Ghost Film", "--owner", "ghost").returncode == 2
    server = ServerProcess(tmp_path).start()
    try:
        headers = {"Authorization": f"Bearer {ana}"}
        assert httpx.get(f"{server.url}/api/projects/Quiet Film", headers=headers).status_code == 403
        assert httpx.patch(f"{server.url}/api/projects/Quiet Film", json={"description": "mine"},
                           headers=headers).status_code == 403
        listed = httpx.get(f"{server.url}/api/projects", headers=headers).json()["items"]
        assert [item["name"] for item in listed] == ["Ana Film"]
    finally:
        server.stop()


def test_a_new_token_cannot_take_a_revoked_name_or_the_local_name(tmp_path: Path) -> None:
    make_token(tmp_path, "bo", "creator")
    assert auteur(tmp_path, "tokens", "revoke", "bo").returncode == 0
    again = auteur(tmp_path, "tokens", "create", "--name", "bo", "--maturity", "INTERN")
    assert again.returncode == 1 and "never reused" in again.stderr
    local = auteur(tmp_path, "tokens", "create", "--name", "local", "--maturity", "INTERN")
    assert local.returncode == 1


def test_revoking_the_last_token_of_a_loopback_server_locks_it_until_reset_local(tmp_path: Path) -> None:
    make_token(tmp_path, "only", "admin")
    server = ServerProcess(tmp_path).start()
    try:
        assert auteur(tmp_path, "tokens", "revoke", "only").returncode == 0
        locked = httpx.get(f"{server.url}/api/runs")
        assert locked.status_code == 401 and "reset-local" in locked.json()["error"]["message"]
        assert auteur(tmp_path, "tokens", "reset-local").returncode == 0
        assert httpx.get(f"{server.url}/api/runs").status_code == 200
    finally:
        server.stop()
