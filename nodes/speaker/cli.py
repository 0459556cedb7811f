"""`auteur spotify login|status|logout`: connect your Spotify account.

With `--server`, the running server does the OAuth round trip (its callback receives the
code) and the CLI waits until the login completes. Without it, the login is stored in the
local workspace for the local user: open the printed link, then paste the address Spotify
sent the browser to.

The pack's `commands` hook builds the Typer app with the host the CLI lends it (the
workspace's state folder and secret).
"""

from __future__ import annotations

import time
from typing import NoReturn
from urllib.parse import parse_qs, urlparse

import httpx
import typer

from nodes.sdk import AuteurError, PackHost, pack_prefix

from .config import SpeakerConfig
from .routes import SPOTIFY
from .spotify.login import SpotifyLogin
from .spotify_nodes import LOCAL_PRINCIPAL as LOCAL

API = pack_prefix("speaker") + SPOTIFY

ServerOpt = typer.Option(None, "--server", help="A running server, e.g. http://127.0.0.1:8000")
TokenOpt = typer.Option(None, "--token", envvar="AUTEUR_TOKEN", help="API token for --server")


def fail(error: AuteurError) -> NoReturn:
    """One line a user can act on (as every `auteur` command reports an error), status 2."""
    typer.echo(f"error ({error.code}): {error.message}", err=True)
    raise typer.Exit(2)


def _client(server: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=10)


def _checked(response: httpx.Response) -> dict[str, object]:
    body: dict[str, object] = response.json()
    if response.status_code >= 400:
        error = body.get("error")
        detail = error if isinstance(error, dict) else {}
        fail(AuteurError(str(detail.get("message", response.text)), code=str(detail.get("code", "http_error"))))
    return body


def _login_via_server(server: str, token: str | None, wait_s: float) -> None:
    with _client(server, token) as client:
        url = _checked(client.get(f"{API}/authorize", params={"redirect": "false"}))["url"]
        typer.echo(f"Open this link to connect Spotify:\n  {url}")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if _checked(client.get(f"{API}/status")).get("connected"):
                typer.echo("Spotify connected.")
                return
            time.sleep(1.0)
    fail(AuteurError("the Spotify login did not complete in time; run the command again", code="oauth_timeout"))


def _login_locally(login: SpotifyLogin) -> None:
    typer.echo(f"Open this link to connect Spotify:\n  {login.authorize_url(LOCAL)}")
    redirected = typer.prompt("Paste the address your browser was sent to")
    query = parse_qs(urlparse(redirected.strip()).query)
    first = {name: values[0] for name, values in query.items() if values}
    login.complete(first.get("state", ""), first.get("code"), first.get("error"))
    typer.echo("Spotify connected.")


def spotify_commands(host: PackHost) -> dict[str, typer.Typer]:
    """`auteur spotify …`; the login is built only when a command runs locally."""
    spotify_app = typer.Typer(help="Connect Spotify (OAuth; tokens are stored encrypted).",
                              no_args_is_help=True, add_completion=False)

    def _local() -> SpotifyLogin:
        return SpotifyLogin(SpeakerConfig(), host.state_dir, host.secret_box())

    @spotify_app.command("login")
    def login(server: str | None = ServerOpt, token: str | None = TokenOpt,
              wait_s: float = typer.Option(300.0, "--wait", help="Seconds to wait for the browser")) -> None:
        """Connect your Spotify account (opens Spotify's consent page)."""
        try:
            _login_via_server(server, token, wait_s) if server else _login_locally(_local())
        except AuteurError as exc:
            fail(exc)

    @spotify_app.command("status")
    def status(server: str | None = ServerOpt, token: str | None = TokenOpt) -> None:
        """Whether Spotify is connected (the tokens themselves are never shown)."""
        try:
            if server:
                with _client(server, token) as client:
                    body = _checked(client.get(f"{API}/status"))
            else:
                body = _local().status(LOCAL).model_dump()
        except AuteurError as exc:
            fail(exc)
        typer.echo(f"{body['principal']}: {'connected' if body['connected'] else 'not connected'}")

    @spotify_app.command("logout")
    def logout(server: str | None = ServerOpt, token: str | None = TokenOpt) -> None:
        """Forget the stored Spotify tokens."""
        if server:
            with _client(server, token) as client:
                _checked(client.post(f"{API}/logout"))
        else:
            _local().logout(LOCAL)
        typer.echo("Spotify tokens removed.")

    return {"spotify": spotify_app}
