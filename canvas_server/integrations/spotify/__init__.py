"""Spotify OAuth on the server: single-use states bound to the caller, tokens stored
through the speaker pack's encrypted cache handler."""

from .config import speaker_config
from .errors import OAuthStateError
from .login import SpotifyLogin, SpotifyStatus
from .states import OAuthStates

__all__ = ["OAuthStateError", "OAuthStates", "SpotifyLogin", "SpotifyStatus", "speaker_config"]
