"""A WebSocket client that connected without a token names it in its first message
(`{"type": "auth", "token": ...}`) on both apps' `/ws`; until then it hears nothing, and a wrong,
missing or late token closes the socket with 1008 (the one admission function decides)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from ..server_harness import ServerProcess, free_port, make_token

POLICY_VIOLATION = 1008


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("first-auth")


@pytest.fixture(scope="module")
def tokens(workspace: Path) -> dict[str, str]:
    return {name: make_token(workspace, name, "creator") for name in ("cy", "olga")}


@pytest.fixture(scope="module")
def server(workspace: Path, tokens: dict[str, str]) -> Iterator[ServerProcess]:
    server = ServerProcess(workspace, comfyui_port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()


def _urls(server: ServerProcess, client_id: str) -> dict[str, str]:
    return {"main": f"{server.ws_url}?client_id={client_id}",
            "comfy": f"ws://127.0.0.1:{server.comfyui_port}/ws?clientId={client_id}"}


async def _first_after_auth(url: str, first_message: str) -> tuple[list[str], dict[str, object]]:
    """What arrives before the auth message (within a second), then the first message after it."""
    async with websockets.connect(url, subprotocols=["auteur"]) as ws:  # type: ignore[list-item]
        early: list[str] = []
        try:
            early.append(str(await asyncio.wait_for(ws.recv(), 1.0)))
        except TimeoutError:
            pass
        await ws.send(first_message)
        return early, json.loads(await asyncio.wait_for(ws.recv(), 10))


async def _close_code(url: str, first_message: str | None) -> int | None:
    async with websockets.connect(url) as ws:
        if first_message is not None:
            await ws.send(first_message)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 15)
        return ws.close_code


@pytest.mark.parametrize("app", ["main", "comfy"])
def test_a_client_without_a_token_hears_nothing_until_its_auth_message_then_is_served(
    server: ServerProcess, tokens: dict[str, str], app: str,
) -> None:
    url = _urls(server, f"first-auth-{app}")[app]
    auth = json.dumps({"type": "auth", "token": tokens["cy"]})
    early, first = asyncio.run(_first_after_auth(url, auth))
    assert early == []
    assert first["type"] == ("heartbeat" if app == "main" else "status")


@pytest.mark.parametrize("app", ["main", "comfy"])
def test_a_wrong_token_or_another_first_message_closes_with_1008(
    server: ServerProcess, tokens: dict[str, str], app: str,
) -> None:
    for index, first in enumerate((json.dumps({"type": "auth", "token": tokens["cy"] + "x"}),
                                   json.dumps({"type": "ping"}), "not json")):
        url = _urls(server, f"wrong-auth-{app}-{index}")[app]
        assert asyncio.run(_close_code(url, first)) == POLICY_VIOLATION, first


def test_a_client_that_never_names_a_token_is_closed_after_the_auth_window(server: ServerProcess) -> None:
    started = time.monotonic()
    assert asyncio.run(_close_code(_urls(server, "silent")["main"], None)) == POLICY_VIOLATION
    assert time.monotonic() - started < 14  # the window (5 s), not the test's own timeout


def test_a_client_id_of_another_principal_is_refused_after_the_auth_message(
    server: ServerProcess, tokens: dict[str, str],
) -> None:
    url = _urls(server, "cy-owned-tab")["main"]
    cy = json.dumps({"type": "auth", "token": tokens["cy"]})
    assert asyncio.run(_first_after_auth(url, cy))[1]["type"] == "heartbeat"
    olga = json.dumps({"type": "auth", "token": tokens["olga"]})
    assert asyncio.run(_close_code(url, olga)) == POLICY_VIOLATION
