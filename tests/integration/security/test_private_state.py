"""Server state is private on a shared host (issue 19, L8): `.auteur` is owner-only (0700) and
its files 0600, also when an older version made them world-readable; `AUTEUR_SECRETS_DIR` keeps
`tokens.json` and `secret.key` out of the workspace altogether."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import httpx

from ..server_harness import AUTEUR, ServerProcess


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_folder_and_its_files_are_owner_only_even_when_made_readable_before(tmp_path: Path) -> None:
    state = tmp_path / ".auteur"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)  # as an older version (or a umask of 022) left it
    old = state / "audit.jsonl"
    old.write_text("", encoding="utf-8")
    os.chmod(old, 0o644)
    server = ServerProcess(tmp_path).start()
    try:
        assert httpx.get(f"{server.url}/api/runs").status_code == 200
        assert _mode(state) == 0o700
        files = [path for path in state.iterdir() if path.is_file()]
        assert {path.name for path in files} >= {"audit.jsonl", "runs.sqlite3", "events.sqlite3"}
        assert {path.name: _mode(path) & 0o077 for path in files if path.name in ("audit.jsonl",)} == {"audit.jsonl": 0}
    finally:
        server.stop()
    # Files the server made while it ran are behind the 0700 folder; the next start tightens them.
    restarted = ServerProcess(tmp_path).start()
    restarted.stop()
    assert {path.name: oct(_mode(path)) for path in state.iterdir() if path.is_file() and _mode(path) & 0o077} == {}


def test_secrets_can_live_outside_the_workspace(tmp_path: Path) -> None:
    workspace, secrets = tmp_path / "ws", tmp_path / "secrets"
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "AUTEUR_SECRETS_DIR": str(secrets)}
    made = subprocess.run([*AUTEUR, "tokens", "create", "--name", "ana", "--maturity", "INTERN", "--json"],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    token = json.loads(made.stdout)["token"]
    assert (secrets / "tokens.json").is_file() and _mode(secrets) == 0o700
    server = ServerProcess(workspace, env={"AUTEUR_SECRETS_DIR": str(secrets)}).start()
    try:
        assert httpx.get(f"{server.url}/api/runs").status_code == 401
        assert httpx.get(f"{server.url}/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        # Checking a signed media URL needs the key: it is made in the secrets folder.
        assert httpx.get(f"{server.url}/media/signed/1/00/x.mp4").status_code == 403
    finally:
        server.stop()
    assert _mode(secrets / "secret.key") == 0o600
    assert not (workspace / ".auteur" / "tokens.json").exists()
    assert not (workspace / ".auteur" / "secret.key").exists()
