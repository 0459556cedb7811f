"""The speaker pack's routes, mounted by the server under /api/packs/speaker: Spotify login
(authorize with a single-use state, callback, status, logout).

The callback comes from the user's browser after Spotify's consent page, without our
bearer token: the state it carries names the principal that started the login. Every other
route is authorized by the server like any /api route.

No `from __future__ import annotations` here: FastAPI reads the routes' annotations, and
they name the host's caller dependency, a local of `speaker_routes`.
"""


from functools import cache
from html import escape
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from nodes.sdk import PackRoutes, RouteHost

from .config import SpeakerConfig
from .spotify_status import SpotifyStatus

if TYPE_CHECKING:
    from .spotify.login import SpotifyLogin

SPOTIFY = "/spotify"
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


class AuthorizeUrl(BaseModel):
    url: str = Field(description="Spotify's consent page, with a single-use state")


class SpotifyLogout(BaseModel):
    principal: str
    connected: bool = False
    removed: bool = Field(description="Whether there were tokens to forget")


def speaker_routes(host: RouteHost) -> PackRoutes:
    """The routers; one login flow (its pending states) per app."""

    @cache
    def flow() -> "SpotifyLogin":  # settings (and spotipy) are loaded at the first login
        from .spotify.login import SpotifyLogin

        return SpotifyLogin(SpeakerConfig(), host.state_dir, host.secret_box())

    Caller = Annotated[str, Depends(host.caller)]
    router = APIRouter(prefix=SPOTIFY, tags=["speaker"])
    public = APIRouter(prefix=SPOTIFY, tags=["speaker"])

    @router.get("/authorize", response_model=AuthorizeUrl,
                responses={307: {"description": "Redirect to Spotify's consent page (the default)"}})
    def spotify_authorize(principal: Caller, redirect: bool = Query(True)) -> Response | AuthorizeUrl:
        """Send the caller to Spotify's consent page (or, with `redirect=false`, return its URL)."""
        url = flow().authorize_url(principal)
        return RedirectResponse(url, status_code=307) if redirect else AuthorizeUrl(url=url)

    @public.get(
        "/callback", response_class=HTMLResponse,
        # The browser gets a page; a refused or unknown state is the usual JSON error shape.
        responses={status: {"content": _JSON_ERROR} for status in (400, 401, 403, 404, 409, 413, 422)},
    )
    def spotify_callback(
        state: str = Query(""), code: str | None = Query(None), error: str | None = Query(None)
    ) -> HTMLResponse:
        """Where Spotify sends the browser back: check the state, exchange the code, store tokens."""
        principal = flow().complete(state, code, error)
        return HTMLResponse(
            f"<!doctype html><title>Spotify connected</title><p>Spotify is connected for "
            f"<b>{escape(principal)}</b>. You can close this window.</p>"
        )

    @router.get("/status")
    def spotify_status(principal: Caller) -> SpotifyStatus:
        """Whether the caller has Spotify connected, its scopes and token lifetime (never tokens)."""
        return flow().status(principal)

    @router.post("/logout")
    def spotify_logout(principal: Caller) -> SpotifyLogout:
        """Forget the caller's Spotify tokens."""
        return SpotifyLogout(principal=principal, removed=flow().logout(principal))

    return PackRoutes(authorized=router, public=public)
