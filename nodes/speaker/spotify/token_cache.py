"""spotipy's CacheHandler, ours: one Fernet-encrypted token file per principal.

Nothing is written in plaintext: the JSON is encrypted in memory, written to a 0600
temporary file and renamed over the old one, so a reader never sees half a token.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from spotipy.cache_handler import CacheHandler

from nodes.sdk import atomic_write_bytes

from .redact import remember

TOKENS_DIR = ("integrations", "spotify")


def token_path(state_dir: Path, principal: str) -> Path:
    """Where a principal's tokens live; the file name does not reveal the principal."""
    digest = hashlib.sha256(principal.encode("utf-8")).hexdigest()[:32]
    return state_dir.joinpath(*TOKENS_DIR) / f"{digest}.token"


class EncryptedTokenCache(CacheHandler):  # type: ignore[misc]
    """Reads and writes one principal's token_info, encrypted with Fernet."""

    def __init__(self, path: Path, fernet: Fernet) -> None:
        self.path = path
        self._fernet = fernet

    def get_cached_token(self) -> dict[str, Any] | None:
        try:
            sealed = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            token_info: dict[str, Any] = json.loads(self._fernet.decrypt(sealed))
        except (InvalidToken, ValueError):
            return None  # another key, or damaged: the user logs in again
        remember(token_info.get("access_token"), token_info.get("refresh_token"))
        return token_info

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        remember(token_info.get("access_token"), token_info.get("refresh_token"))
        sealed = self._fernet.encrypt(json.dumps(token_info).encode("utf-8"))
        atomic_write_bytes(self.path, sealed, mode=0o600)

    def delete(self) -> bool:
        """Forget the tokens; True when there were some."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
