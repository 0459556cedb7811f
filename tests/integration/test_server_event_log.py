"""Event numbering and replay survive a server crash: the event log is persisted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from .server_harness import (
    ServerProcess,
    collect_events,
    connect,
    drain,
    sleep_prompt,
    wait_for_status,
)


def test_a_client_replays_across_a_kill_9_and_restart_with_sequence_numbers_that_keep_rising(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "ws"
    first_server = ServerProcess(workspace).start()
    try:
        async def before_crash() -> list[dict[str, Any]]:
            async with connect(first_server, "dana") as ws:
                await ws.recv()
                run = httpx.post(f"{first_server.url}/api/runs", timeout=10,
                                 json={"graph": sleep_prompt(0.1, "one"), "client_id": "dana"}).json()
                return await collect_events(ws, {"run_completed"}, run_id=run["run_id"])

        seen = asyncio.run(before_crash())
        last_seq = seen[-1]["seq"]
        with httpx.Client(base_url=first_server.url, timeout=10) as client:
            missed = client.post("/api/runs", json={"graph": sleep_prompt(0.1, "two"),
                                                    "client_id": "dana"}).json()["run_id"]
            wait_for_status(client, missed, {"completed"})
    finally:
        first_server.kill9()

    second_server = ServerProcess(workspace).start()
    try:
        async def after_restart() -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
            async with connect(second_server, "dana", last_seq=last_seq) as ws:
                await ws.recv()
                replayed = await drain(ws)
                run = httpx.post(f"{second_server.url}/api/runs", timeout=10,
                                 json={"graph": sleep_prompt(0.1, "three"), "client_id": "dana"}).json()
                live = await collect_events(ws, {"run_completed"}, run_id=run["run_id"])
            return replayed, live, run["run_id"]

        replayed, live, third = asyncio.run(after_restart())
    finally:
        second_server.stop()

    assert replayed[0]["type"] == "run_queued" and replayed[-1]["type"] == "run_completed"
    assert {e["run_id"] for e in replayed} == {missed}
    assert {e["run_id"] for e in live} == {third}
    seqs = [e["seq"] for e in seen + replayed + live]
    assert seqs == sorted(set(seqs)), "sequence numbers went backwards or repeated after the restart"
