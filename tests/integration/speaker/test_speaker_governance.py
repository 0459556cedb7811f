"""Governance on a real server: speaker nodes are SUPERVISED, and playback is audited."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from function_runners.execute import principal_scratch

from ..server_harness import AUTEUR, ServerProcess, free_port, wait_for_status
from .conftest import write_wav
from .sonos_double import SonosSystem

SPEAKER_NODES = {"speaker.sonos_discover", "speaker.sonos_play"}


def _token(workspace: Path, maturity: str, name: str) -> str:
    done = subprocess.run(
        [*AUTEUR, "tokens", "create", "--maturity", maturity, "--name", name, "--json"],
        env={"AUTEUR_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        check=True, timeout=60,
    )
    return str(json.loads(done.stdout)["token"])


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory, speaker_env: dict[str, str]) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    workspace = tmp_path_factory.mktemp("governed")
    tokens = {level: _token(workspace, level, f"{level.lower()}-user") for level in ("INTERN", "SUPERVISED")}
    port = free_port()
    server = ServerProcess(workspace, {**speaker_env, "AUTEUR_PUBLIC_URL": f"http://127.0.0.1:{port}"}, port).start()
    try:
        yield server, tokens
    finally:
        server.stop()


def _prompt() -> dict[str, object]:
    return {
        "1": {"class_type": "speaker.sonos_discover", "inputs": {"name": "Studio", "method": "hosts", "hosts": "127.0.0.2"}},
        "2": {"class_type": "media.load", "inputs": {"path": "takes/S01_S01_take01.wav"}},
        "3": {"class_type": "speaker.sonos_play", "inputs": {"speaker": ["1", 0], "media": ["2", 0], "wait": True}},
    }


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def _client(server: ServerProcess, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_an_intern_token_is_refused_naming_each_speaker_node(governed: tuple[ServerProcess, dict[str, str]], sonos: SonosSystem) -> None:
    server, tokens = governed
    with _client(server, tokens["INTERN"]) as client:
        response = client.post("/api/runs", json={"graph": _prompt()})
    assert response.status_code == 403
    body = json.dumps(response.json())
    for type_id in SPEAKER_NODES:
        assert f"{type_id} requires SUPERVISED maturity" in body
    assert not sonos.calls, "a refused run must not reach a speaker"


def test_a_supervised_token_plays_and_the_audit_log_says_who_played_what_where(
    governed: tuple[ServerProcess, dict[str, str]], sonos: SonosSystem
) -> None:
    server, tokens = governed
    # A project-less run reads its principal's own scratch folder.
    scratch = principal_scratch(server.workspace, "supervised-user")
    write_wav(scratch / "takes" / "S01_S01_take01.wav")
    with _client(server, tokens["SUPERVISED"]) as client:
        response = client.post("/api/runs", json={"graph": _prompt()})
        assert response.status_code == 202, response.text
        run = wait_for_status(client, response.json()["run_id"], {"completed", "failed"})
    assert run["status"] == "completed", run.get("errors") or run["nodes"]
    expected = [("127.0.0.3", "SetAVTransportURI"), ("127.0.0.3", "Play")]
    assert wait_for(lambda: [(ip, action) for ip, _, action, _ in sonos.changes()] == expected), sonos.changes()
    assert sonos.fetches and sonos.fetches[0].status == 200
    lines = [json.loads(line) for line in (server.workspace / ".auteur" / "audit.jsonl").read_text().splitlines()]
    mine = [line for line in lines if line["run_id"] == run["run_id"]]
    submitted = {node["type"] for line in mine for node in line["nodes"] if "action" not in node}
    assert SPEAKER_NODES <= submitted and all(line["principal"] == "supervised-user" for line in mine)
    played = [node for line in mine for node in line["nodes"] if node.get("action") == "play"]
    assert played == [{
        "node_id": "3", "type": "speaker.sonos_play", "action": "play", "media": f"{scratch.relative_to(server.workspace).as_posix()}/takes/S01_S01_take01.wav",
        "speaker": "Studio", "speaker_ip": "127.0.0.2", "coordinator": "127.0.0.3",
    }]
