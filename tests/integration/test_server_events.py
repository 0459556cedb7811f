"""The WebSocket event stream of a real server: isolation, replay by `seq`, throttling."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest

from .server_harness import (
    ServerProcess,
    collect_events,
    connect,
    drain,
    running_server,
    sleep_prompt,
    wait_for_status,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("ws"), {"AUTEUR_HEARTBEAT_S": "0.5"}) as server:
        yield server


def test_two_clients_never_see_each_others_runs(server: ServerProcess, client: httpx.Client) -> None:
    async def scenario() -> tuple[list[dict], list[dict], str, str]:
        async with connect(server, "alice") as alice, connect(server, "bob") as bob:
            await alice.recv(), await bob.recv()
            run_a = client.post("/api/runs", json={"graph": sleep_prompt(0.3, "a"), "client_id": "alice"}).json()["run_id"]
            run_b = client.post("/api/runs", json={"graph": sleep_prompt(0.3, "b"), "client_id": "bob"}).json()["run_id"]
            seen_a = await collect_events(alice, {"run_completed"}, run_id=run_a)
            seen_b = await collect_events(bob, {"run_completed"}, run_id=run_b)
            return seen_a + await drain(alice), seen_b + await drain(bob), run_a, run_b

    seen_a, seen_b, run_a, run_b = asyncio.run(scenario())
    assert {event["run_id"] for event in seen_a} == {run_a}
    assert {event["run_id"] for event in seen_b} == {run_b}


def test_reconnecting_with_last_seq_replays_exactly_the_missed_events(server: ServerProcess, client: httpx.Client) -> None:
    async def scenario() -> tuple[list[dict], list[dict], list[dict], str]:
        async with connect(server, "carol") as ws:
            await ws.recv()
            first = client.post("/api/runs", json={"graph": sleep_prompt(0.1, "c1"), "client_id": "carol"}).json()["run_id"]
            before = await collect_events(ws, {"run_completed"}, run_id=first)
        # Offline: a second run of this client happens while it is disconnected.
        second = client.post("/api/runs", json={"graph": sleep_prompt(0.1, "c2"), "client_id": "carol"}).json()["run_id"]
        wait_for_status(client, second, {"completed"})
        async with connect(server, "carol", last_seq=before[-1]["seq"]) as ws:
            await ws.recv()
            replayed = await drain(ws)
        # A witness subscribed to the second run replays from the same point: what exists.
        async with connect(server, "witness") as ws:
            await ws.send(json.dumps({"type": "subscribe", "runs": [second]}))
            await asyncio.sleep(0.2)
        async with connect(server, "witness", last_seq=before[-1]["seq"]) as ws:
            await ws.recv()
            witnessed = await drain(ws)
        return before, replayed, witnessed, second

    before, replayed, witnessed, second = asyncio.run(scenario())
    assert [(e["seq"], e["type"]) for e in replayed] == [(e["seq"], e["type"]) for e in witnessed]
    assert replayed, "nothing was replayed"
    assert {event["run_id"] for event in replayed} == {second}
    assert replayed[0]["type"] == "run_queued"
    assert replayed[-1]["type"] == "run_completed"
    seqs = [event["seq"] for event in replayed]
    assert seqs == sorted(set(seqs)) and seqs[0] > before[-1]["seq"]
    record = client.get(f"/api/runs/{second}").json()
    assert record["status"] == "completed"


def test_subscribing_to_a_run_by_message_delivers_its_events(server: ServerProcess, client: httpx.Client) -> None:
    async def scenario() -> list[dict]:
        async with connect(server, "dave") as ws:
            await ws.recv()
            run_id = client.post("/api/runs", json={"graph": sleep_prompt(1.0, "d")}).json()["run_id"]
            await ws.send(json.dumps({"type": "subscribe", "runs": [run_id]}))
            return await collect_events(ws, {"run_completed"}, run_id=run_id)

    types = [event["type"] for event in asyncio.run(scenario())]
    assert types[-1] == "run_completed" and "node_completed" in types


def test_progress_is_throttled_for_a_node_reporting_thousands_of_steps(server: ServerProcess, client: httpx.Client) -> None:
    graph = {
        "1": {"class_type": "test.progress", "inputs": {"steps": 20000}},
        "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}},
    }

    async def scenario() -> list[str]:
        async with connect(server, "erin") as ws:
            await ws.recv()
            client.post("/api/runs", json={"graph": graph, "client_id": "erin"})
            events = await collect_events(ws, {"run_completed", "run_failed"})
            return [json.dumps(event) for event in events]

    raw = asyncio.run(scenario())
    progress = [line for line in raw if '"node_progress"' in line]
    assert json.loads(raw[-1])["type"] == "run_completed"
    assert len(progress) < 100, f"{len(progress)} progress events for one node"
    assert sum(len(line) for line in raw) < 50_000


def test_idle_connection_receives_heartbeats(server: ServerProcess) -> None:
    async def scenario() -> list[dict]:
        async with connect(server, "idle") as ws:
            return [json.loads(await asyncio.wait_for(ws.recv(), 3)) for _ in range(3)]

    beats = asyncio.run(scenario())
    assert [beat["type"] for beat in beats] == ["heartbeat"] * 3


def test_event_schema_is_a_discriminated_union_over_type(client: httpx.Client) -> None:
    schema = client.get("/api/events/schema").json()
    assert schema["discriminator"]["propertyName"] == "type"
    mapping = schema["discriminator"]["mapping"]
    for event_type in ("run_queued", "run_started", "node_started", "node_progress", "node_cached",
                       "node_completed", "node_failed", "take_created", "run_completed", "run_failed",
                       "run_cancelled", "asset_added", "project_update", "file_changed"):
        assert event_type in mapping
