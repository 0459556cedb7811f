"""Text PostgreSQL cannot hold (a NUL character: its text type refuses it; a lone surrogate: not
UTF-8) is refused as a 4xx wherever it reaches a PostgreSQL-backed server: a run id, a query
filter, a submission's client id, a review note, a template, a ComfyUI setting; never a 500. A
token's name is checked once where every token is made (`auteur tokens create`): NUL, other
control characters and undecodable bytes are refused with a clear error."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from canvas_server.cli.main import app
from canvas_server.db.scratch import PostgresServer

from ..server_harness import AUTEUR, ServerProcess, free_port, sleep_prompt, wait_for_status

HOSTILE = ["a\u0000b", "a\ud800b"]  # the second only where JSON can carry it (a body)


@pytest.fixture(scope="module")
def pg_server(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    from canvas_server.db import connect
    from canvas_server.db.upgrade import upgrade

    url = postgres.database()
    engine = connect(url)
    upgrade(engine)
    engine.dispose()
    server = ServerProcess(tmp_path_factory.mktemp("pg-ws"), {"AUTEUR_DATABASE_URL": url},
                           comfyui_port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()


def _post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    # json.dumps writes a lone surrogate as the escape \ud800, as a client's JSON would carry it
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def _refused(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and "Traceback" not in response.text


def test_nul_and_lone_surrogates_sent_to_a_postgresql_backed_server_are_refused_as_4xx(
        pg_server: ServerProcess) -> None:
    pg_client = httpx.Client(base_url=pg_server.url, timeout=30)
    comfy = httpx.Client(base_url=pg_server.comfy_url, timeout=30)
    for path in ("/api/runs/a%00b", "/api/runs/a%00b/review", "/api/runs?client_id=a%00b",
                 "/api/runs?project=a%00b", "/api/agents/jobs?agent=a%00b"):
        _refused(pg_client.get(path))
    _refused(pg_client.delete("/api/runs/a%00b"))
    _refused(_post(pg_client, "/api/runs/a%00b/move", {"to": "front"}))
    for text in HOSTILE:
        _refused(_post(pg_client, "/api/runs", {"graph": sleep_prompt(0), "client_id": text}))
        _refused(_post(pg_client, "/api/runs/a%00b/review", {"action": "approve", "note": text}))
        _refused(_post(pg_client, "/api/templates", {"name": text, "graph": sleep_prompt(0)}))
        # ComfyUI's settings are stored as JSON (escaped): kept whole (NUL), or refused (not text).
        for stored in (_post(comfy, "/api/settings/x", text), _post(comfy, "/api/settings", {text: 1})):
            if "\ud800" in text:
                _refused(stored)
            else:
                assert stored.status_code == 200, stored.text
    assert comfy.get("/api/settings").json() == {"x": "a\u0000b", "a\u0000b": 1}
    # A review note is stored as text: refused, and the run still waits for a decision.
    reviewed = _post(pg_client, "/api/runs", {"graph": {
        "1": {"class_type": "test.draft", "inputs": {"prompt": "the duel"}},
        "2": {"class_type": "production.review", "inputs": {"content": ["1", 0], "always": True}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}}).json()["run_id"]
    wait_for_status(pg_client, reviewed, {"awaiting_review"}, timeout=60)
    for text in HOSTILE:
        _refused(_post(pg_client, f"/api/runs/{reviewed}/review", {"action": "request_changes", "note": text}))
    assert pg_client.get(f"/api/runs/{reviewed}/review").json()["thread"] == []
    # Still answering, and the same requests with plain text work.
    decided = _post(pg_client, f"/api/runs/{reviewed}/review", {"action": "approve", "note": "plain"})
    assert decided.status_code == 200, decided.text
    accepted = _post(pg_client, "/api/runs", {"graph": sleep_prompt(0), "client_id": "plain"})
    assert accepted.status_code == 202, accepted.text
    assert _post(comfy, "/api/settings/x", "plain").status_code == 200
    pg_client.close()
    comfy.close()


def test_a_token_name_with_nul_control_characters_or_undecodable_bytes_is_refused_by_the_cli(
        tmp_path: Path) -> None:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(tmp_path)}
    # Undecodable bytes on a real command line reach Python as lone surrogates.
    made = subprocess.run([*AUTEUR, "tokens", "create", "--maturity", "SUPERVISED", "--name", b"a\xffb"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 1 and "is not a usable name" in made.stderr, made.stderr
    runner = CliRunner()
    for name in ("a\x00b", "a\x01b", "a\nb", " ", "x" * 201):
        refused = runner.invoke(app, ["tokens", "create", "--maturity", "SUPERVISED", "--name", name],
                                env={"AUTEUR_WORKSPACE": str(tmp_path)})
        assert refused.exit_code == 1 and "is not a usable name" in refused.stderr, (name, refused.output)
    listed = runner.invoke(app, ["tokens", "list", "--json"], env={"AUTEUR_WORKSPACE": str(tmp_path)})
    assert json.loads(listed.stdout) == []
