"""A Spotify double: the accounts service (/authorize, /api/token) and the Web API player
endpoints, on one local port. It checks what a real Spotify checks (client credentials,
redirect URI, code, refresh token, bearer token), answers in Spotify's JSON shapes, and
records every request. Failures are scripted per path: `fail_next(path, status, reason)`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

CLIENT_ID, CLIENT_SECRET = "auteur-test-client", "auteur-test-secret"
DEVICES = [
    {"id": "dev-studio", "name": "Studio Mac", "type": "Computer", "is_active": True, "volume_percent": 40},
    {"id": "dev-phone", "name": "Director's Phone", "type": "Smartphone", "is_active": False, "volume_percent": 70},
]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    bearer: str | None


@dataclass
class SpotifyDouble:
    expires_in: int = 3600
    requests: list[Request] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # code → redirect_uri
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    failures: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    playback: dict[str, Any] = field(default_factory=lambda: {"is_playing": False, "uri": "", "volume": 40, "shuffle": False})
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> SpotifyDouble:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, path: str, status: int, reason: str = "", times: int = 1) -> None:
        self.failures.setdefault(path, []).extend([(status, reason)] * times)

    def revoke_all(self) -> None:
        """The user removed the app's access in their Spotify account."""
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    def api_calls(self) -> list[tuple[str, str, dict[str, str], Any]]:
        return [(r.method, r.path, r.query, r.body) for r in self.requests if r.path.startswith("/v1/")]

    def _token(self) -> dict[str, Any]:
        access = "AT-" + secrets.token_hex(16)
        self.access_tokens.add(access)
        self.issued.append(access)
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in,
                "scope": "user-read-playback-state user-modify-playback-state"}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}
        code = "CODE-" + secrets.token_hex(8)
        self.codes[code] = query["redirect_uri"]
        back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(back)}"}

    def token(self, basic: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != expected:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "Invalid authorization code"}
            refresh = "RT-" + secrets.token_hex(16)
            self.refresh_tokens.add(refresh)
            self.issued.append(refresh)
            return 200, {**self._token(), "refresh_token": refresh}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
            return 200, self._token()
        return 400, {"error": "unsupported_grant_type"}

    def api(self, method: str, path: str, query: dict[str, str], body: Any, bearer: str | None) -> tuple[int, Any]:
        if bearer not in self.access_tokens:
            return 401, {"error": {"status": 401, "message": "The access token expired"}}
        scripted = self.failures.get(path)
        if scripted:
            status, reason = scripted.pop(0)
            messages = {"NO_ACTIVE_DEVICE": "Player command failed: No active device found",
                        "PREMIUM_REQUIRED": "Player command failed: Premium required"}
            return status, {"error": {"status": status, "message": messages.get(reason, "Service unavailable"), **({"reason": reason} if reason else {})}}
        state = self.playback
        if (method, path) == ("GET", "/v1/me/player/devices"):
            return 200, {"devices": DEVICES}
        if (method, path) == ("GET", "/v1/me/player"):
            item = {"name": "Temp Track", "uri": state["uri"] or "spotify:track:temp", "artists": [{"name": "Composer"}]}
            return 200, {"is_playing": state["is_playing"], "item": item, "device": DEVICES[0], "shuffle_state": state["shuffle"]}
        if (method, path) == ("PUT", "/v1/me/player/play"):
            uri = (body or {}).get("context_uri") or ((body or {}).get("uris") or [""])[0]
            state.update(is_playing=True, uri=uri or state["uri"])
            return 204, None
        if (method, path) == ("PUT", "/v1/me/player/pause"):
            state["is_playing"] = False
            return 204, None
        if method == "POST" and path in ("/v1/me/player/next", "/v1/me/player/previous"):
            return 204, None
        if (method, path) == ("PUT", "/v1/me/player/volume"):
            state["volume"] = int(query["volume_percent"])
            return 204, None
        if (method, path) == ("PUT", "/v1/me/player/shuffle"):
            state["shuffle"] = query["state"] == "true"
            return 204, None
        if (method, path) == ("PUT", "/v1/me/player"):
            return 204, None
        return 404, {"error": {"status": 404, "message": "Service not found"}}


def _handler(double: SpotifyDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, method: str) -> None:
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            auth = self.headers.get("Authorization", "")
            bearer = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
            if parsed.path == "/api/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                double.requests.append(Request(method, parsed.path, query, {k: v for k, v in form.items() if k == "grant_type"}, None))
                status, payload = double.token(auth.removeprefix("Basic ") if auth.startswith("Basic ") else None, form)
                self._reply(status, payload)
                return
            body = json.loads(raw) if raw.strip() else None
            double.requests.append(Request(method, parsed.path, query, body, bearer))
            if parsed.path == "/authorize":
                status, headers = double.authorize(query)
                self._reply(status, None, headers)
                return
            status, payload = double.api(method, parsed.path, query, body, bearer)
            self._reply(status, payload)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

    return Handler


def expire_soon(double: SpotifyDouble) -> None:
    """Make every token issued from now on expire at once (spotipy refreshes 60 s early)."""
    double.expires_in = 30
    time.sleep(0)
