"""The browser boundary (server/boundary.py) on a small app: Host allow-list, Origin on
state-changing requests and WebSocket handshakes, JSON-only bodies, CORS only when configured.
The same middleware guards both real apps (tests/e2e/browser/test_browser_boundary.py attacks
them from a real Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from canvas_server.governance.auth import is_loopback
from canvas_server.server.boundary import BoundaryPolicy, install_boundary, split_host
from canvas_server.settings import Settings
from nodes.sdk import is_loopback_host


def _app(tmp_path: Path, urllib_default_type: bool = False, **settings: Any) -> FastAPI:
    app = FastAPI()
    install_boundary(app, Settings(workspace=tmp_path, **settings), upload_paths=(r"^/upload$",),
                     urllib_default_type=urllib_default_type)

    @app.get("/read")
    def read() -> dict[str, str]:
        return {"ok": "read"}

    @app.post("/write")
    async def write(request: Request) -> dict[str, Any]:
        return {"ok": "write", "body": (await request.body()).decode()}

    @app.post("/upload")
    def upload() -> dict[str, str]:
        return {"ok": "upload"}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    return app


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(_app(tmp_path), base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:5173", "[::1]:8188", "127.0.0.2", "localhost",
                                  "LocalHost:8000", "localhost.:8000"])
def test_loopback_host_names_with_any_port_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/read", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST", True), ("localhost.", True), ("127.8.9.10", True), ("::1", True),
    ("localhost.evil", False), ("localhost..", False), ("evil.example", False), ("10.0.0.1", False), ("::2", False),
])
def test_the_boundary_the_bind_check_and_the_sdk_share_one_loopback_rule(tmp_path: Path, host: str,
                                                                          loopback: bool) -> None:
    """One rule (nodes.sdk.is_loopback_host) for the browser boundary, the bind check and the packs."""
    policy = BoundaryPolicy.for_app(Settings(workspace=tmp_path, host="192.0.2.1"))
    assert policy.host_allowed(f"[{host}]:8000" if ":" in host else f"{host}:8000") is loopback
    assert is_loopback(host) is loopback
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil",
                                  "[::1", "127.0.0.1:port"])
def test_any_other_host_name_is_refused_with_the_error_shape(client: TestClient, host: str) -> None:
    answer = client.get("/read", headers={"host": host})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "host_not_allowed"


def test_configured_hosts_and_the_bind_address_are_answered(tmp_path: Path) -> None:
    app = _app(tmp_path, allowed_hosts=["canvas.lan"], host="10.0.0.5")
    client = TestClient(app, base_url="http://127.0.0.1")
    for host in ("canvas.lan:8000", "10.0.0.5:8000"):
        assert client.get("/read", headers={"host": host}).status_code == 200, host
    assert client.get("/read", headers={"host": "10.0.0.6:8000"}).status_code == 403


def test_a_wildcard_bind_answers_ip_addresses_but_not_names(tmp_path: Path) -> None:
    client = TestClient(_app(tmp_path, host="0.0.0.0"), base_url="http://127.0.0.1")
    assert client.get("/read", headers={"host": "192.168.1.20:8000"}).status_code == 200
    assert client.get("/read", headers={"host": "rebind.example:8000"}).status_code == 403


def test_a_foreign_origin_cannot_post_but_the_same_origin_and_clients_without_one_can(client: TestClient) -> None:
    foreign = client.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                            "origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "origin_not_allowed"
    other_port = client.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                               "origin": "http://127.0.0.1:9999"})
    assert other_port.status_code == 403
    null = client.post("/write", content=b"{}", headers={"content-type": "application/json", "origin": "null"})
    assert null.status_code == 403
    same = client.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                         "origin": "http://127.0.0.1:8000"})
    assert same.status_code == 200
    assert client.post("/write", content=b"{}", headers={"content-type": "application/json"}).status_code == 200


def test_a_cross_site_fetch_without_origin_is_refused(client: TestClient) -> None:
    answer = client.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                           "sec-fetch-site": "cross-site"})
    assert answer.status_code == 403


def test_reads_are_not_checked_for_origin(client: TestClient) -> None:
    assert client.get("/read", headers={"origin": "http://evil.example"}).status_code == 200


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])
def test_a_body_that_is_not_json_is_refused_with_415(client: TestClient, media_type: str) -> None:
    headers = {"content-type": media_type} if media_type else {}
    answer = client.post("/write", content=b'{"prompt": {}}', headers=headers)
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


def test_json_types_and_empty_bodies_pass(client: TestClient) -> None:
    assert client.post("/write", content=b"{}", headers={"content-type": "application/json; charset=utf-8"}).status_code == 200
    assert client.post("/write", content=b"{}", headers={"content-type": "application/merge-patch+json"}).status_code == 200
    assert client.post("/write").status_code == 200


def test_upload_routes_take_multipart_from_their_own_origin_only(client: TestClient) -> None:
    files = {"file": ("a.txt", b"hi", "text/plain")}
    assert client.post("/upload", files=files).status_code == 200
    assert client.post("/upload", files=files, headers={"origin": "http://127.0.0.1:8000"}).status_code == 200
    assert client.post("/upload", files=files, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/upload", content=b"x", headers={"content-type": "text/plain"}).status_code == 415


def test_the_comfyui_app_takes_urllib_s_default_type_from_clients_that_are_not_browsers(tmp_path: Path) -> None:
    client = TestClient(_app(tmp_path, urllib_default_type=True), base_url="http://127.0.0.1:8188")
    urllib_like = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/write", content=b'{"prompt": {}}', headers=urllib_like).status_code == 200
    from_a_page = {**urllib_like, "sec-fetch-site": "same-origin", "origin": "http://127.0.0.1:8188"}
    assert client.post("/write", content=b'{"prompt": {}}', headers=from_a_page).status_code == 415
    plain = {"content-type": "text/plain"}
    assert client.post("/write", content=b'{"prompt": {}}', headers=plain).status_code == 415


def test_websocket_handshakes_from_a_foreign_origin_or_host_are_refused(client: TestClient) -> None:
    with client.websocket_connect("ws://127.0.0.1:8000/ws", headers={"origin": "http://127.0.0.1:8000"}) as ws:
        assert ws.receive_text() == "hello"
    with client.websocket_connect("ws://127.0.0.1:8000/ws") as ws:  # no Origin: not a browser
        assert ws.receive_text() == "hello"
    for headers in ({"origin": "http://evil.example"}, {"host": "evil.example:8000", "origin": "http://evil.example:8000"}):
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect("ws://127.0.0.1:8000/ws", headers=headers):
                pass
        assert refused.value.code == 1008


def test_cors_is_answered_only_for_configured_origins(tmp_path: Path) -> None:
    closed = TestClient(_app(tmp_path), base_url="http://127.0.0.1:8000")
    answer = closed.get("/read", headers={"origin": "https://tool.example"})
    assert "access-control-allow-origin" not in answer.headers
    opened = TestClient(_app(tmp_path, allowed_origins=["https://tool.example"]), base_url="http://127.0.0.1:8000")
    answer = opened.get("/read", headers={"origin": "https://tool.example"})
    assert answer.headers["access-control-allow-origin"] == "https://tool.example"
    posted = opened.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                           "origin": "https://tool.example"})
    assert posted.status_code == 200
    assert opened.post("/write", content=b"{}", headers={"content-type": "application/json",
                                                         "origin": "https://other.example"}).status_code == 403


def test_allowed_hosts_and_origins_are_read_from_the_environment_as_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTEUR_ALLOWED_HOSTS", "canvas.lan, [::1]")
    monkeypatch.setenv("AUTEUR_ALLOWED_ORIGINS", "https://tool.example:8443,http://x.example")
    settings = Settings()
    assert settings.allowed_hosts == ["canvas.lan", "[::1]"]
    assert settings.allowed_origins == ["https://tool.example:8443", "http://x.example"]


def test_host_headers_are_split_into_name_and_port() -> None:
    assert split_host("LocalHost:5173") == ("localhost", 5173)
    assert split_host("[::1]:8188") == ("::1", 8188)
    assert split_host("example.com") == ("example.com", None)
    assert split_host("[::1") is None
    assert split_host(":80") is None
