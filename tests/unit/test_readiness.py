"""Both apps (main and ComfyUI) share one lifecycle: before its services have started and
once shutdown has begun, every request gets 503 with `Retry-After`, never a 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from canvas_server.comfy import create_comfy_app
from canvas_server.server.app import create_app
from canvas_server.settings import Settings

LOCAL = "http://127.0.0.1"  # the browser boundary answers loopback names, not TestClient's "testserver"
PROMPT = {"prompt": {"1": {"class_type": "core.integer", "inputs": {"value": 1}},
                     "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}}


def _settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws", runner_workers=1, load_plugins=["core"])


def _assert_retry_later(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "service_unavailable"


def test_before_the_services_start_both_ports_answer_503_with_retry_after(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    comfy = create_comfy_app(app.state.lifecycle)
    main_client, comfy_client = TestClient(app, base_url=LOCAL), TestClient(comfy, base_url=LOCAL)  # no `with`: no lifespan ran
    _assert_retry_later(main_client.get("/api/health"))
    _assert_retry_later(main_client.post("/api/runs", json={"graph": PROMPT["prompt"]}))
    _assert_retry_later(comfy_client.post("/prompt", json=PROMPT))
    _assert_retry_later(comfy_client.get("/system_stats"))
    with pytest.raises(WebSocketDisconnect), comfy_client.websocket_connect("/ws"):
        pass


def test_once_shutdown_begins_new_requests_get_503_on_both_ports(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    comfy = TestClient(create_comfy_app(app.state.lifecycle), base_url=LOCAL)
    with TestClient(app, base_url=LOCAL) as client:
        assert client.get("/api/health").status_code == 200
        assert comfy.post("/prompt", json=PROMPT).status_code == 200
        app.state.lifecycle.begin_shutdown()
        _assert_retry_later(client.get("/api/health"))
        _assert_retry_later(comfy.post("/prompt", json=PROMPT))
