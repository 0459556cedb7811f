"""Single-use OAuth `state` values, each bound to the principal that started the login.

The callback arrives from the user's browser without our bearer token; the state is what
ties it to the caller, so it is unguessable, used once, and short-lived.
"""

from __future__ import annotations

import secrets
import threading
import time

from nodes.sdk import AuteurError

STATE_TTL_S = 600.0


class OAuthStateError(AuteurError):
    """The callback's `state` is unknown, already used or expired: start the login again (400)."""

    code = "oauth_state_invalid"


class OAuthStates:
    def __init__(self, ttl_s: float = STATE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._pending: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, principal: str) -> str:
        state = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired()
            self._pending[state] = (principal, time.monotonic() + self.ttl_s)
        return state

    def consume(self, state: str) -> str:
        """The principal the state was issued to; it cannot be used again."""
        with self._lock:
            self._drop_expired()
            found = self._pending.pop(state, None)
        if found is None:
            raise OAuthStateError(
                "this Spotify login link is unknown, already used or expired; start the login "
                "again (`auteur spotify login` or /api/packs/speaker/spotify/authorize)",
            )
        return found[0]

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for state in [key for key, (_, until) in self._pending.items() if until < now]:
            del self._pending[state]
