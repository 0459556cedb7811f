"""Bound beyond loopback the server always requires tokens: revoking the last one locks the API.

127.0.0.2 stands for a network address: `AUTEUR_LOOPBACK_HOSTS=127.0.0.1` makes it non-loopback
for this server, and no traffic leaves 127.0.0.0/8."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ..server_harness import ServerProcess, free_port, make_token
from .conftest import auteur


class NetworkServer(ServerProcess):
    @property
    def url(self) -> str:
        return f"http://127.0.0.2:{self.port}"


def test_revoking_the_last_token_of_a_network_server_locks_the_api(tmp_path: Path) -> None:
    token = make_token(tmp_path, "only", "admin")
    server = NetworkServer(tmp_path, env={"AUTEUR_HOST": "127.0.0.2", "AUTEUR_LOOPBACK_HOSTS": "127.0.0.1"})
    server.start()
    try:
        authorized = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{server.url}/api/runs", headers=authorized).status_code == 200
        assert auteur(tmp_path, "tokens", "revoke", "only").returncode == 0
        locked = httpx.get(f"{server.url}/api/runs")
        assert locked.status_code == 401
        assert "locked" in locked.json()["error"]["message"]
        assert httpx.get(f"{server.url}/api/projects").status_code == 401
        assert httpx.get(f"{server.url}/api/runs", headers=authorized).status_code == 401
    finally:
        server.stop()


def test_a_network_bind_without_tokens_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTEUR_LOOPBACK_HOSTS", "127.0.0.1")
    result = auteur(tmp_path, "serve", "--host", "127.0.0.2", "--port", str(free_port()))
    assert result.returncode != 0
    assert "auteur tokens create" in result.stderr + result.stdout
