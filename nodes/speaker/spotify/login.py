"""The login flow: the authorize URL, the code exchange, status and logout.

Used by the pack's routes (the server lends its state folder and secret through the pack
host) and by `auteur spotify` without `--server` (the CLI lends the workspace's).
"""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.fernet import Fernet
from spotipy.exceptions import SpotifyOauthError

from nodes.sdk import AuteurError

from ..config import SpeakerConfig
from ..spotify_status import SpotifyStatus
from .client import SCOPES, oauth_for, token_cache
from .states import OAuthStates


class OAuthDeniedError(AuteurError):
    """The user declined on Spotify's consent page, or Spotify refused the code (400)."""

    code = "oauth_denied"


class SpotifyLogin:
    """One per app: states in memory, tokens on disk (encrypted) under the state folder."""

    def __init__(self, config: SpeakerConfig, state_dir: Path, fernet: Fernet,
                 states: OAuthStates | None = None) -> None:
        self.config = config
        self.state_dir = state_dir
        self.fernet = fernet
        self.states = states or OAuthStates()

    def authorize_url(self, principal: str) -> str:
        oauth = oauth_for(self.config, self.fernet, self.state_dir, principal)
        return str(oauth.get_authorize_url(state=self.states.issue(principal)))

    def complete(self, state: str, code: str | None, error: str | None) -> str:
        """Exchange the code for tokens and store them; the principal they belong to."""
        principal = self.states.consume(state)
        if error or not code:
            raise OAuthDeniedError(
                f"Spotify did not grant access ({error or 'no code'}); start the login again",
                details={"error": error},
            )
        oauth = oauth_for(self.config, self.fernet, self.state_dir, principal)
        try:
            oauth.get_access_token(code, as_dict=False, check_cache=False)
        except SpotifyOauthError as exc:
            raise OAuthDeniedError(
                f"Spotify refused the login code ({exc.error}); start the login again",
                details={"error": exc.error},
            ) from exc
        return principal

    def status(self, principal: str) -> SpotifyStatus:
        token = token_cache(self.fernet, self.state_dir, principal).get_cached_token()
        if token is None:
            return SpotifyStatus(principal=principal, connected=False)
        scopes = str(token.get("scope") or " ".join(SCOPES)).split()
        expires = int(token.get("expires_at", 0) - time.time()) if token.get("expires_at") else None
        return SpotifyStatus(principal=principal, connected=True, scopes=scopes, expires_in_s=expires)

    def logout(self, principal: str) -> bool:
        return token_cache(self.fernet, self.state_dir, principal).delete()
