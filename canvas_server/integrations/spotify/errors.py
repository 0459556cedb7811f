"""Errors of the Spotify login flow (HTTP 400 unless said otherwise)."""

from __future__ import annotations

from nodes.sdk import AuteurError


class OAuthStateError(AuteurError):
    """The callback's `state` is unknown, already used or expired: start the login again."""

    code = "oauth_state_invalid"


class OAuthDeniedError(AuteurError):
    """The user declined on Spotify's consent page, or Spotify refused the code."""

    code = "oauth_denied"
