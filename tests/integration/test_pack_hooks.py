"""Packs contribute routes and commands through their entry point (`nodes.sdk.Pack`), on a
real `auteur serve` and the real `auteur` CLI; an excluded pack breaks neither."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from nodes.sdk import fernet_for, master_secret

from .server_harness import AUTEUR, ServerProcess, chain_prompt, running_server

WITHOUT_SPEAKER = {"AUTEUR_LOAD_PLUGINS": "core,media"}


def auteur(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), **(env or {})}
    return subprocess.run([*AUTEUR, *args], env=full, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def lean_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("lean"), WITHOUT_SPEAKER) as server:
        yield server


def test_the_server_starts_and_serves_the_catalog_with_the_speaker_pack_excluded(lean_server: ServerProcess) -> None:
    catalog = httpx.get(f"{lean_server.url}/api/nodes", timeout=30)
    assert catalog.status_code == 200
    packs = {node["pack"] for node in catalog.json()["nodes"]}
    assert packs == {"core", "media"}
    gone = httpx.get(f"{lean_server.url}/api/packs/speaker/spotify/status", timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    forged = httpx.get(f"{lean_server.url}/media/signed/4179204221/forged/x.wav", timeout=10)
    assert forged.status_code == 403  # signed media is the server's own, pack or no pack
    run = httpx.post(f"{lean_server.url}/api/runs", timeout=30, json={"graph": chain_prompt()})
    assert run.status_code == 202, run.text
    # What the editor loads first: the templates (some use speaker nodes) and its page.
    templates = httpx.get(f"{lean_server.url}/api/templates", timeout=30)
    assert templates.status_code == 200 and templates.json()
    assert httpx.get(f"{lean_server.url}/", timeout=30).status_code == 200


def test_the_cli_works_with_the_speaker_pack_excluded_and_has_no_spotify_command(tmp_path: Path) -> None:
    assert auteur(tmp_path, "--help", env=WITHOUT_SPEAKER).returncode == 0
    listed = auteur(tmp_path, "nodes", "--json", env=WITHOUT_SPEAKER)
    assert listed.returncode == 0 and {n["pack"] for n in json.loads(listed.stdout)["nodes"]} == {"core", "media"}
    missing = auteur(tmp_path, "spotify", "status", env=WITHOUT_SPEAKER)
    assert missing.returncode == 2 and "No such command 'spotify'" in missing.stderr
    present = auteur(tmp_path, "spotify", "status")
    assert present.returncode == 0 and present.stdout.strip() == "local: not connected"


def test_a_third_party_pack_command_runs_with_the_workspace_the_cli_lends_it(tmp_path: Path) -> None:
    done = auteur(tmp_path, "testpack-hello", "--name", "ada")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"hello ada from testpack ({tmp_path / '.auteur'})"
    listed = auteur(tmp_path, "packs")
    assert "commands: auteur testpack-hello" in listed.stdout and "routes:   /api/packs/testpack/" in listed.stdout


def test_a_pack_route_is_authorized_by_the_server_and_seals_with_the_server_secret(tmp_path: Path) -> None:
    tokens = {}
    for name, role in (("cy", "creator"), ("vic", "viewer")):
        made = auteur(tmp_path, "tokens", "create", "--name", name, "--role", role,
                     "--maturity", "SUPERVISED", "--json")
        tokens[name] = json.loads(made.stdout)["token"]
    with running_server(tmp_path) as server:
        seal = f"{server.url}/api/packs/testpack/seal"
        assert httpx.post(seal, params={"text": "x"}, timeout=10).status_code == 401
        refused = httpx.post(seal, params={"text": "x"}, timeout=10,
                             headers={"Authorization": f"Bearer {tokens['vic']}"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        sealed = httpx.post(seal, params={"text": "secret words"}, timeout=10,
                            headers={"Authorization": f"Bearer {tokens['cy']}"})
        assert sealed.status_code == 200 and sealed.json()["principal"] == "cy"
        box: Fernet = fernet_for(master_secret(tmp_path / ".auteur", None))
        assert box.decrypt(sealed.json()["sealed"].encode()) == b"secret words"
        ping = httpx.get(f"{server.url}/api/packs/testpack/ping", timeout=10)
        assert ping.status_code == 200 and ping.json() == {"pong": ".auteur"}
