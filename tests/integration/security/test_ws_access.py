"""The WebSocket asks the same authorization function: on connect, subscribe and replay."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ..server_harness import ServerProcess, chain_prompt, connect, drain, wait_for_status


def _cy_run(clients: dict[str, httpx.Client], client_id: str | None = None) -> str:
    body = {"graph": chain_prompt(), **({"client_id": client_id} if client_id else {})}
    run_id = str(clients["cy"].post("/api/runs", json=body).json()["run_id"])
    wait_for_status(clients["cy"], run_id, {"completed"})
    return run_id


def test_a_viewer_cannot_subscribe_to_a_run_it_does_not_own(
    team_server: ServerProcess, team_tokens: dict[str, str], clients: dict[str, httpx.Client],
) -> None:
    run_id = _cy_run(clients)

    async def scenario() -> list[dict[str, object]]:
        async with connect(team_server, "vic-tab", last_seq=0, token=team_tokens["vic"]) as ws:
            await ws.send(json.dumps({"type": "subscribe", "runs": [run_id], "projects": []}))
            return await drain(ws)

    events = asyncio.run(scenario())
    errors = [event for event in events if event["type"] == "error"]
    assert errors and errors[0]["error"]["code"] == "forbidden"  # type: ignore[index]
    assert not [event for event in events if event.get("run_id") == run_id]


def test_replay_from_zero_never_returns_others_events(
    team_server: ServerProcess, team_tokens: dict[str, str], clients: dict[str, httpx.Client],
) -> None:
    cy_run = _cy_run(clients, client_id="cy-tab")
    olga_run = clients["olga"].post("/api/runs", json={"graph": chain_prompt(), "client_id": "olga-tab"}).json()["run_id"]
    wait_for_status(clients["olga"], olga_run, {"completed"})

    async def replay(client_id: str, token: str) -> list[dict[str, object]]:
        async with connect(team_server, client_id, last_seq=0, token=token) as ws:
            return await drain(ws)

    olga_sees = {event.get("run_id") for event in asyncio.run(replay("olga-tab", team_tokens["olga"]))}
    assert olga_run in olga_sees and cy_run not in olga_sees
    cy_sees = {event.get("run_id") for event in asyncio.run(replay("cy-tab", team_tokens["cy"]))}
    assert cy_run in cy_sees and olga_run not in cy_sees


def test_a_stolen_client_id_is_refused_on_connect_and_on_submit(
    team_server: ServerProcess, team_tokens: dict[str, str], clients: dict[str, httpx.Client],
) -> None:
    _cy_run(clients, client_id="cy-private")

    async def steal() -> None:
        async with connect(team_server, "cy-private", last_seq=0, token=team_tokens["olga"]) as ws:
            await ws.recv()

    with pytest.raises((ConnectionClosed, InvalidStatus)):
        asyncio.run(steal())
    taken = clients["olga"].post("/api/runs", json={"graph": chain_prompt(), "client_id": "cy-private"})
    assert taken.status_code == 403
    assert "client id" in taken.json()["error"]["message"]


def test_project_subscription_needs_read_access(
    team_server: ServerProcess, team_tokens: dict[str, str], film: str,
) -> None:
    async def subscribe(token: str, client_id: str) -> list[dict[str, object]]:
        async with connect(team_server, client_id, token=token) as ws:
            await ws.send(json.dumps({"type": "subscribe", "runs": [], "projects": [film]}))
            return await drain(ws, quiet=0.3)

    refused = asyncio.run(subscribe(team_tokens["olga"], "olga-film"))
    assert [event for event in refused if event["type"] == "error"]
    accepted = asyncio.run(subscribe(team_tokens["vic"], "vic-film"))
    assert not [event for event in accepted if event["type"] == "error"]


def test_a_run_id_taken_over_by_another_principal_never_replays_the_first_owner_s_events(
    team_server: ServerProcess, team_workspace: Path, team_tokens: dict[str, str],
    clients: dict[str, httpx.Client],
) -> None:
    """The API refuses to reuse a run id; should one end up owned by someone else anyway (an
    old store, a bug), replay still goes by the owner recorded with each event."""
    cy_run = _cy_run(clients, client_id="cy-before")
    olga_run = clients["olga"].post("/api/runs", json={"graph": chain_prompt(), "client_id": "olga-after"}).json()["run_id"]
    wait_for_status(clients["olga"], olga_run, {"completed"})
    with sqlite3.connect(team_workspace / ".auteur" / "runs.sqlite3") as db:
        [(olga,)] = db.execute("SELECT principal FROM runs WHERE run_id = ?", (olga_run,)).fetchall()
        db.execute("UPDATE runs SET principal = ? WHERE run_id = ?", (olga, cy_run))

    async def replay() -> list[dict[str, object]]:
        async with connect(team_server, "olga-after", token=team_tokens["olga"]) as ws:
            await ws.send(json.dumps({"type": "subscribe", "runs": [cy_run], "projects": []}))
            refused = [event for event in await drain(ws, quiet=0.3) if event["type"] == "error"]
            assert not refused, "the store says olga owns the run now: subscribing is allowed"
        async with connect(team_server, "olga-after", last_seq=0, token=team_tokens["olga"]) as ws:
            return await drain(ws)

    replayed = {event.get("run_id") for event in asyncio.run(replay())}
    assert olga_run in replayed, "replay works for olga's own run"
    assert cy_run not in replayed
