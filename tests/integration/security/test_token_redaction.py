"""API tokens never reach the server's log (issue 19, M2), and a WebSocket may authenticate by
subprotocol (`auteur.bearer.<token>`, what a browser can send) as well as by header or query."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websocket
import websockets

from ..server_harness import ServerProcess, free_port, make_token


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("redaction")


@pytest.fixture(scope="module")
def token(workspace: Path) -> str:
    return make_token(workspace, "ana", "creator")


@pytest.fixture(scope="module")
def server(workspace: Path, token: str) -> Iterator[ServerProcess]:
    server = ServerProcess(workspace, comfyui_port=free_port(), log_level="info").start()
    try:
        yield server
    finally:
        server.stop()


async def _first_message(url: str, **kwargs: object) -> tuple[dict[str, object], str | None]:
    async with websockets.connect(url, **kwargs) as ws:  # type: ignore[arg-type]
        return json.loads(await ws.recv()), ws.subprotocol


def test_a_websocket_authenticates_by_subprotocol_and_is_answered_with_auteur(server: ServerProcess, token: str) -> None:
    event, chosen = asyncio.run(_first_message(f"{server.ws_url}?client_id=proto-1",
                                               subprotocols=["auteur", f"auteur.bearer.{token}"]))
    assert event["type"] == "heartbeat"
    assert chosen == "auteur"  # the token is not echoed back
    comfy = websocket.create_connection(f"ws://127.0.0.1:{server.comfyui_port}/ws?clientId=proto-2",
                                        subprotocols=["auteur", f"auteur.bearer.{token}"])
    assert json.loads(comfy.recv())["type"] == "status"
    comfy.close()


def test_a_wrong_token_subprotocol_is_refused(server: ServerProcess, token: str) -> None:
    # Offering no token at all waits for an auth message: test_ws_first_message_auth.py.
    for subprotocols in ([f"auteur.bearer.{token}x"], [f"auteur.bearer.{token}x", "auteur"]):
        with pytest.raises(websockets.InvalidStatus) as refused:
            asyncio.run(_first_message(f"{server.ws_url}?client_id=proto-3", subprotocols=subprotocols))
        assert refused.value.response.status_code == 403


def test_tokens_in_websocket_queries_and_headers_are_redacted_from_the_log(server: ServerProcess, token: str) -> None:
    event, _ = asyncio.run(_first_message(f"{server.ws_url}?client_id=redact-main&token={token}"))
    assert event["type"] == "heartbeat"
    comfy = websocket.create_connection(f"ws://127.0.0.1:{server.comfyui_port}/ws?clientId=redact-comfy&token={token}")
    assert json.loads(comfy.recv())["type"] == "status"
    comfy.close()
    assert httpx.get(f"{server.url}/api/runs?token={token}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    asyncio.run(_first_message(f"{server.ws_url}?client_id=redact-proto", subprotocols=[f"auteur.bearer.{token}"]))
    server.stop()  # flushes the log (this test runs last: it stops the module's server)
    log = server.log.read_text(encoding="utf-8")
    assert "WebSocket /ws?client_id=redact-main" in log  # the lines are there…
    assert "/api/runs?token=[redacted]" in log
    assert token not in log  # …without the secret
    assert token.split("_")[2] not in log
