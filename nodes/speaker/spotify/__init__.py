"""Spotify through spotipy: encrypted per-user tokens, the client, errors a user can act on."""

from .client import SCOPES, oauth_for, spotify_for
from .redact import quiet_spotipy_logs
from .token_cache import EncryptedTokenCache, token_path

__all__ = ["SCOPES", "EncryptedTokenCache", "oauth_for", "quiet_spotipy_logs", "spotify_for", "token_path"]
