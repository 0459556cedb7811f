"""Spotify login: authorize (redirect with a single-use state), callback, status, logout.

The callback comes from the user's browser after Spotify's consent page, without our
bearer token: the state it carries names the principal that started the login.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ...governance import Principal
from ...integrations.spotify import SpotifyLogin, SpotifyStatus, speaker_config
from ..deps import get_principal, get_services
from ..services import AppServices

PREFIX = "/api/integrations/spotify"
router = APIRouter(prefix=PREFIX, tags=["integrations"])
callback_router = APIRouter(prefix=PREFIX, tags=["integrations"])
_LOGIN_KEY = "spotify_login"


def spotify_login(services: Annotated[AppServices, Depends(get_services)]) -> SpotifyLogin:
    """One login flow per app, kept with the app's services."""
    login = services.extra.get(_LOGIN_KEY)
    if not isinstance(login, SpotifyLogin):
        login = SpotifyLogin(speaker_config(services.settings), services.settings.state_dir)
        services.extra[_LOGIN_KEY] = login
    return login


Login = Annotated[SpotifyLogin, Depends(spotify_login)]
Caller = Annotated[Principal, Depends(get_principal)]


class AuthorizeUrl(BaseModel):
    url: str = Field(description="Spotify's consent page, with a single-use state")


class SpotifyLogout(BaseModel):
    principal: str
    connected: bool = False
    removed: bool = Field(description="Whether there were tokens to forget")


@router.get("/authorize", response_model=AuthorizeUrl,
            responses={307: {"description": "Redirect to Spotify's consent page (the default)"}})
def authorize(login: Login, principal: Caller, redirect: bool = Query(True)) -> Response | AuthorizeUrl:
    """Send the caller to Spotify's consent page (or, with `redirect=false`, return its URL)."""
    url = login.authorize_url(principal.name)
    if redirect:
        return RedirectResponse(url, status_code=307)
    return AuthorizeUrl(url=url)


_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


@callback_router.get(
    "/callback", response_class=HTMLResponse,
    # The browser gets a page; a refused or unknown state is the usual JSON error shape.
    responses={status: {"content": _JSON_ERROR} for status in (400, 401, 403, 404, 409, 413, 422)},
)
def callback(
    login: Login, state: str = Query(""), code: str | None = Query(None), error: str | None = Query(None)
) -> HTMLResponse:
    """Where Spotify sends the browser back: check the state, exchange the code, store tokens."""
    principal = login.complete(state, code, error)
    return HTMLResponse(
        f"<!doctype html><title>Spotify connected</title><p>Spotify is connected for "
        f"<b>{escape(principal)}</b>. You can close this window.</p>"
    )


@router.get("/status")
def status(login: Login, principal: Caller) -> SpotifyStatus:
    """Whether the caller has Spotify connected, its scopes and token lifetime (never tokens)."""
    return login.status(principal.name)


@router.post("/logout")
def logout(login: Login, principal: Caller) -> SpotifyLogout:
    """Forget the caller's Spotify tokens."""
    return SpotifyLogout(principal=principal.name, removed=login.logout(principal.name))
