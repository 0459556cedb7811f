"""A real server with four principals: an admin, a project owner, another creator and a viewer
that is a member of the owner's project."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..server_harness import AUTEUR, ServerProcess, make_token, running_server

PRINCIPALS = {"ada": "admin", "cy": "creator", "olga": "creator", "vic": "viewer"}


def auteur(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace)}
    return subprocess.run([*AUTEUR, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="package")
def team_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("team")


@pytest.fixture(scope="package")
def team_tokens(team_workspace: Path) -> dict[str, str]:
    return {name: make_token(team_workspace, name, role) for name, role in PRINCIPALS.items()}


@pytest.fixture(scope="package")
def team_server(team_workspace: Path, team_tokens: dict[str, str]) -> Iterator[ServerProcess]:
    with running_server(team_workspace) as server:
        yield server


@pytest.fixture(scope="package")
def clients(team_server: ServerProcess, team_tokens: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {name: httpx.Client(base_url=team_server.url, timeout=30, headers={"Authorization": f"Bearer {token}"})
            for name, token in team_tokens.items()}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="package")
def film(clients: dict[str, httpx.Client]) -> str:
    """Project `Film`, owned by cy, shared with vic as viewer."""
    assert clients["cy"].post("/api/projects", json={"name": "Film"}).status_code == 201
    assert clients["cy"].put("/api/projects/Film/members/vic", json={"role": "viewer"}).status_code == 200
    return "Film"
