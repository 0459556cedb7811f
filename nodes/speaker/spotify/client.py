"""spotipy pointed at the configured Spotify (real or a local double), per principal."""

from __future__ import annotations

from pathlib import Path

import spotipy
from cryptography.fernet import Fernet
from spotipy.oauth2 import SpotifyOAuth

from nodes.sdk import fernet_for, state_dir_of, workspace_secret

from ..config import SpeakerConfig
from ..errors import SpotifyLoginRequiredError, SpotifyNotConfiguredError
from .redact import quiet_spotipy_logs
from .token_cache import EncryptedTokenCache, token_path

# Read and control playback, see the current track, read the saved library and private
# playlists (what the Spotify nodes offer).
SCOPES = (
    "user-read-playback-state",
    "user-modify-playback-state",
    "user-read-currently-playing",
    "user-library-read",
    "playlist-read-private",
)
TIMEOUT_S = 10


def token_cache(fernet: Fernet, state_dir: Path, principal: str) -> EncryptedTokenCache:
    """One principal's tokens, sealed with the workspace secret's Fernet."""
    return EncryptedTokenCache(token_path(state_dir, principal), fernet)


def oauth_for(config: SpeakerConfig, fernet: Fernet, state_dir: Path, principal: str) -> SpotifyOAuth:
    """The OAuth manager of one principal, its tokens in our encrypted cache."""
    if not (config.spotify_client_id and config.spotify_client_secret and config.spotify_redirect_uri):
        raise SpotifyNotConfiguredError(
            "Spotify is not set up: set AUTEUR_SPOTIFY_CLIENT_ID, AUTEUR_SPOTIFY_CLIENT_SECRET and "
            "AUTEUR_SPOTIFY_REDIRECT_URI (from your app at developer.spotify.com)",
        )
    quiet_spotipy_logs()
    oauth = SpotifyOAuth(
        client_id=config.spotify_client_id,
        client_secret=config.spotify_client_secret.get_secret_value(),
        redirect_uri=config.spotify_redirect_uri,
        scope=" ".join(SCOPES),
        cache_handler=token_cache(fernet, state_dir, principal),
        open_browser=False,
        requests_timeout=TIMEOUT_S,
    )
    accounts = config.spotify_accounts_url.rstrip("/")
    oauth.OAUTH_AUTHORIZE_URL = f"{accounts}/authorize"
    oauth.OAUTH_TOKEN_URL = f"{accounts}/api/token"
    return oauth


def spotify_for(config: SpeakerConfig, workspace_root: Path, principal: str) -> spotipy.Spotify:
    """A Web API client that refreshes the principal's token when it expires and retries
    503s with exponential backoff (in a runner: the key comes from the workspace)."""
    fernet = fernet_for(workspace_secret(workspace_root))
    oauth = oauth_for(config, fernet, state_dir_of(workspace_root), principal)
    if oauth.cache_handler.get_cached_token() is None:
        raise SpotifyLoginRequiredError(
            f"{principal} has not connected Spotify: run `auteur spotify login` or open "
            "/api/packs/speaker/spotify/authorize",
            details={"principal": principal},
        )
    client = spotipy.Spotify(
        auth_manager=oauth, requests_timeout=TIMEOUT_S, retries=config.spotify_retries,
        status_retries=config.spotify_retries, backoff_factor=config.spotify_backoff_s,
    )
    client.prefix = config.spotify_api_url.rstrip("/") + "/"
    return client
