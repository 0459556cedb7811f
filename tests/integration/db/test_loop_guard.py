"""The proof that no PostgreSQL store call runs on the event loop: under AUTEUR_DB_LOOP_GUARD=1
(set by this folder's fixture and inherited by the servers its tests start) a statement executed
on a thread running an event loop fails, naming the statement; the same call through `off_loop`
goes through."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from canvas_server.cli.main import app
from canvas_server.db import connect
from canvas_server.db.audit import PgAudit
from canvas_server.db.engine import LOOP_GUARD, OnEventLoopError
from canvas_server.governance.audit import AuditEntry
from canvas_server.runs.storage import off_loop

from ..agents.mcp_client import http_session
from ..server_harness import ServerProcess, collect_events, free_port, sleep_prompt, wait_for_status
from ..server_harness import connect as ws_connect


def test_a_store_call_made_on_a_running_event_loop_fails_and_the_same_call_off_the_loop_goes_through(
        migrated_url: str) -> None:
    assert os.environ.get(LOOP_GUARD) == "1"
    engine = connect(migrated_url)
    store = PgAudit(engine)
    entry = AuditEntry(ts=1.0, principal="ada", token_id=None, run_id="r1", project=None, nodes=[])

    async def on_the_loop() -> None:
        store.append(entry)

    async def through_off_loop() -> None:
        await off_loop(True, store.append, entry)

    try:
        with pytest.raises(OnEventLoopError, match=r"event loop.*INSERT INTO audit"):
            asyncio.run(on_the_loop())
        asyncio.run(through_off_loop())
        store.append(entry)  # no loop on this thread: allowed
        assert [line.run_id for line in store.entries()] == ["r1", "r1"]
    finally:
        engine.dispose()


def _token(workspace: Path, url: str, name: str, role: str) -> str:
    """`auteur tokens create` into PostgreSQL, by the CLI's own code in this process."""
    made = CliRunner().invoke(app, ["tokens", "create", "--name", name, "--role", role, "--maturity", "AUTONOMOUS",
                                    "--json"], env={"AUTEUR_WORKSPACE": str(workspace), "AUTEUR_DATABASE_URL": url})
    assert made.exit_code == 0, made.output
    return str(json.loads(made.stdout)["token"])


def test_a_server_under_the_guard_moves_queued_runs_runs_batches_and_reviews_and_authenticates_sockets_and_mcp(
        migrated_url: str, tmp_path: Path) -> None:
    """Every call below asks the shared stores, and each run the result cache's index; one asked
    on the event loop would be a 500 or a failed run here (and an OnEventLoopError in the
    server's log)."""
    workspace = tmp_path / "ws"
    token = _token(workspace, migrated_url, "ana", "admin")
    server = ServerProcess(workspace, {"AUTEUR_DATABASE_URL": migrated_url}, comfyui_port=free_port()).start()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            assert client.post("/api/queue/pause").json() == {"paused": True}
            first, second = (_queued(client, sleep_prompt(0, value=value)) for value in ("first", "second"))
            assert client.post(f"/api/runs/{second}/move", json={"to": "front"}).json()["position"] == 0
            assert client.post(f"/api/runs/{first}/priority", json={"priority": 5}).json()["position"] == 0
            assert [run["run_id"] for run in client.get("/api/queue").json()["queued"]] == [first, second]
            batch = client.post("/api/batches", json={"graph": sleep_prompt(0), "table": "1.value\nx\ny\n"})
            assert batch.status_code == 202, batch.text
            assert client.get(f"/api/batches/{batch.json()['batch_id']}").json()["total"] == 2
            reviewed = _queued(client, {
                "1": {"class_type": "test.draft", "inputs": {"prompt": "the duel"}},
                "2": {"class_type": "production.review", "inputs": {"content": ["1", 0], "always": True}},
                "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}})

            async def follow() -> list[str]:
                async with ws_connect(server, "guarded", token=token) as ws:
                    await ws.send(json.dumps({"type": "subscribe", "runs": [reviewed]}))
                    assert client.post("/api/queue/resume").json() == {"paused": False}
                    seen = await collect_events(ws, {"run_awaiting_review"}, run_id=reviewed, timeout=60)
                async with http_session(server.url, token) as session:
                    answer = await session.call_tool("get_run", {"run_id": first})
                    assert not answer.is_error, answer.content
                return [event["type"] for event in seen]

            assert asyncio.run(follow())[-1] == "run_awaiting_review"
            assert client.get(f"/api/runs/{reviewed}/review").json()["review_state"] == "awaiting"
            decided = client.post(f"/api/runs/{reviewed}/review", json={"action": "approve", "note": "fine"})
            assert decided.status_code == 200, decided.text
            for run_id in (first, second, reviewed):
                assert wait_for_status(client, run_id, {"completed", "failed"}, timeout=60)["status"] == "completed"
            comfy = httpx.get(f"{server.comfy_url}/history/{first}", headers=headers, timeout=30)
            assert comfy.status_code == 200 and first in comfy.json(), comfy.text
    finally:
        server.stop()
    assert "OnEventLoopError" not in server.log.read_text()


def _queued(client: httpx.Client, graph: dict[str, Any]) -> str:
    answer = client.post("/api/runs", json={"graph": graph})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["run_id"])
