"""Contract tests of our side of Spotify: real spotipy against the Spotify double.

The whole OAuth round trip goes through our endpoints; tokens are stored encrypted per
principal, refreshed when expired, and never appear in a file or a log line.
"""

from __future__ import annotations

import json
import logging
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from cryptography.fernet import Fernet, InvalidToken

from nodes.speaker import SpotifyDevices, SpotifyPlayback
from nodes.speaker.errors import (
    NoActiveDeviceError,
    PremiumRequiredError,
    SpotifyLoginRequiredError,
    SpotifyUnavailableError,
)
from nodes.speaker.spotify import SCOPES, EncryptedTokenCache, token_path

from ..server_harness import ServerProcess
from .conftest import SECRET, make_ctx
from .spotify_double import CLIENT_ID, SpotifyDouble

API = "/api/packs/speaker/spotify"
LOG_LINES: list[str] = []


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        LOG_LINES.append(self.format(record))


@pytest.fixture(scope="module", autouse=True)
def every_log_line() -> Iterator[None]:
    """Everything logged in this process while the tests run, DEBUG included."""
    handler, root = _Collect(level=logging.DEBUG), logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(old)


def _login(server: ServerProcess) -> httpx.Response:
    """authorize → Spotify's consent (the double) → our callback, as a browser would."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        to_spotify = client.get(f"{API}/authorize", follow_redirects=False)
        assert to_spotify.status_code == 307
        consent = httpx.get(to_spotify.headers["location"], follow_redirects=False)
        assert consent.status_code == 302
        return httpx.get(consent.headers["location"])


def _ctx(server: ServerProcess, principal: str = "local") -> object:
    return make_ctx(server.workspace, server.workspace, "speaker.spotify_playback", principal=principal)


def _cache(server: ServerProcess, principal: str = "local") -> EncryptedTokenCache:
    return EncryptedTokenCache(token_path(server.workspace / ".auteur", principal), Fernet(SECRET.encode()))


@pytest.fixture(scope="module")
def logged_in(media_server: ServerProcess, spotify: SpotifyDouble) -> ServerProcess:
    assert _login(media_server).status_code == 200
    return media_server


def test_the_oauth_round_trip_goes_through_our_endpoints_with_a_single_use_state(
    media_server: ServerProcess, spotify: SpotifyDouble
) -> None:
    with httpx.Client(base_url=media_server.url, timeout=10) as client:
        assert client.get(f"{API}/status").json()["connected"] is False
        url = client.get(f"{API}/authorize", params={"redirect": "false"}).json()["url"]
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert url.startswith(f"{spotify.url}/authorize?")
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == f"{media_server.url}{API}/callback"
    assert query["scope"] == " ".join(SCOPES) and len(query["state"]) >= 40
    assert "user-library-read" in SCOPES
    callback = httpx.get(httpx.get(url, follow_redirects=False).headers["location"])
    assert callback.status_code == 200 and "connected for <b>local</b>" in callback.text
    replay = httpx.get(callback.url)
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "oauth_state_invalid"
    forged = httpx.get(f"{media_server.url}{API}/callback", params={"state": "guessed", "code": "x"})
    assert forged.json()["error"]["code"] == "oauth_state_invalid"
    with httpx.Client(base_url=media_server.url, timeout=10) as client:
        status = client.get(f"{API}/status").json()
    assert status["connected"] is True and status["principal"] == "local" and "access_token" not in json.dumps(status)


def test_tokens_are_stored_encrypted_0600_and_readable_only_with_the_key(logged_in: ServerProcess, spotify: SpotifyDouble) -> None:
    path = token_path(logged_in.workspace / ".auteur", "local")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sealed = path.read_bytes()
    assert not any(token.encode() in sealed for token in spotify.issued)
    stored = json.loads(Fernet(SECRET.encode()).decrypt(sealed))
    assert stored["access_token"] in spotify.issued and stored["refresh_token"] in spotify.refresh_tokens
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(sealed)


def test_playback_commands_send_the_web_api_calls_on_the_chosen_device(logged_in: ServerProcess, spotify: SpotifyDouble) -> None:
    ctx = _ctx(logged_in)
    spotify.requests.clear()
    SpotifyPlayback(action="play", uri="spotify:track:4uLU6hMCjMI75M1A2tKUQC", device_id="dev-phone").run(ctx)
    SpotifyPlayback(action="play", uri="spotify:playlist:37i9dQZF1DXcBWIGoYBM5M").run(ctx)
    SpotifyPlayback(action="pause").run(ctx)
    SpotifyPlayback(action="next").run(ctx)
    SpotifyPlayback(action="previous").run(ctx)
    SpotifyPlayback(action="volume", volume=35, device_id="dev-phone").run(ctx)
    out = SpotifyPlayback(action="shuffle", shuffle=False).run(ctx)
    commands = [(m, p, q, b) for m, p, q, b in spotify.api_calls() if not (m == "GET" and p == "/v1/me/player")]
    assert commands == [
        ("PUT", "/v1/me/player/play", {"device_id": "dev-phone"}, {"uris": ["spotify:track:4uLU6hMCjMI75M1A2tKUQC"]}),
        ("PUT", "/v1/me/player/play", {}, {"context_uri": "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M"}),
        ("PUT", "/v1/me/player/pause", {}, None),
        ("POST", "/v1/me/player/next", {}, None),
        ("POST", "/v1/me/player/previous", {}, None),
        ("PUT", "/v1/me/player/volume", {"volume_percent": "35", "device_id": "dev-phone"}, None),
        ("PUT", "/v1/me/player/shuffle", {"state": "false"}, None),
    ]
    assert out.track == "Temp Track" and out.state["device"] == "Studio Mac"
    devices = SpotifyDevices(action="transfer", device="Director's Phone").run(ctx)
    assert devices.device_id == "dev-phone" and [d["id"] for d in devices.devices] == ["dev-studio", "dev-phone"]
    assert spotify.api_calls()[-1] == ("PUT", "/v1/me/player", {}, {"device_ids": ["dev-phone"], "play": True})


def test_an_expired_access_token_is_refreshed_and_stored_again(logged_in: ServerProcess, spotify: SpotifyDouble) -> None:
    cache = _cache(logged_in)
    token = cache.get_cached_token()
    assert token is not None
    cache.save_token_to_cache({**token, "expires_at": int(time.time()) - 10})
    spotify.requests.clear()
    SpotifyPlayback(action="current").run(_ctx(logged_in))
    assert [(r.method, r.path, r.body) for r in spotify.requests][:2] == [
        ("POST", "/api/token", {"grant_type": "refresh_token"}), ("GET", "/v1/me/player", None),
    ]
    refreshed = cache.get_cached_token()
    assert refreshed is not None and refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] == token["refresh_token"] and spotify.requests[1].bearer == refreshed["access_token"]


@pytest.mark.parametrize(("status", "reason", "error", "message"), [
    (404, "NO_ACTIVE_DEVICE", NoActiveDeviceError, "no active Spotify device"),
    (403, "PREMIUM_REQUIRED", PremiumRequiredError, "Premium"),
    (403, "", SpotifyLoginRequiredError, "log in to Spotify again"),
    (401, "", SpotifyLoginRequiredError, "log in to Spotify again"),
])
def test_spotify_refusals_become_errors_a_user_can_act_on(
    logged_in: ServerProcess, spotify: SpotifyDouble, status: int, reason: str, error: type[Exception], message: str
) -> None:
    spotify.fail_next("/v1/me/player/play", status, reason)
    with pytest.raises(error, match=message):
        SpotifyPlayback(action="play").run(_ctx(logged_in))


def test_503_is_retried_with_backoff_then_reported_unavailable(logged_in: ServerProcess, spotify: SpotifyDouble) -> None:
    spotify.fail_next("/v1/me/player/pause", 503, times=2)
    spotify.requests.clear()
    SpotifyPlayback(action="pause").run(_ctx(logged_in))
    assert [r.path for r in spotify.requests].count("/v1/me/player/pause") == 3
    spotify.fail_next("/v1/me/player/pause", 503, times=10)
    with pytest.raises(SpotifyUnavailableError, match="try again"):
        SpotifyPlayback(action="pause").run(_ctx(logged_in))
    spotify.failures.clear()


def test_revoked_consent_asks_to_log_in_again_and_a_stranger_must_log_in_first(
    logged_in: ServerProcess, spotify: SpotifyDouble
) -> None:
    with pytest.raises(SpotifyLoginRequiredError, match="auteur spotify login"):
        SpotifyPlayback(action="current").run(_ctx(logged_in, principal="stranger"))
    cache = _cache(logged_in)
    token = cache.get_cached_token()
    assert token is not None
    cache.save_token_to_cache({**token, "expires_at": int(time.time()) - 10})
    spotify.revoke_all()
    with pytest.raises(SpotifyLoginRequiredError, match="log in to Spotify again"):
        SpotifyPlayback(action="current").run(_ctx(logged_in))
    assert _login(logged_in).status_code == 200  # logging in again works


def test_logout_forgets_the_tokens(logged_in: ServerProcess) -> None:
    with httpx.Client(base_url=logged_in.url, timeout=10) as client:
        assert client.post(f"{API}/logout").json()["removed"] is True
        assert client.get(f"{API}/status").json()["connected"] is False
    assert not token_path(logged_in.workspace / ".auteur", "local").exists()


def test_no_file_in_the_workspace_and_no_log_line_contains_a_token(
    logged_in: ServerProcess, spotify: SpotifyDouble
) -> None:
    assert _login(logged_in).status_code == 200  # tokens on disk again, for the grep
    SpotifyPlayback(action="current").run(_ctx(logged_in))
    secrets = [token.encode() for token in spotify.issued]
    assert len(secrets) >= 4
    files = [p for p in Path(logged_in.workspace).rglob("*") if p.is_file()]
    assert any(p.suffix == ".token" for p in files)
    for path in files:
        content = path.read_bytes()
        leaked = [s for s in secrets if s in content]
        assert not leaked, f"{path} contains a Spotify token"
    logs = "\n".join(LOG_LINES).encode()
    assert LOG_LINES and not [s for s in secrets if s in logs]
