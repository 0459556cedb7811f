"""What the status route answers; kept apart from the login flow so that mounting the
pack's routes at start-up imports no spotipy (the flow is imported at the first login)."""

from __future__ import annotations

from pydantic import BaseModel


class SpotifyStatus(BaseModel):
    """Whether a principal has Spotify connected; never the tokens themselves."""

    principal: str
    connected: bool
    scopes: list[str] = []
    expires_in_s: int | None = None
