"""Key material: the Fernet key for stored OAuth tokens and the key that signs media URLs.

Both derive from one workspace secret, the same in the server, the runners and the CLI:
`AUTEUR_SECRET_KEY` when set, else a key file generated once under the workspace's state
folder with 0600 permissions (created exclusively, so two processes starting together agree
on one key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from ._settings import SharedSettings
from .atomic import atomic_create_bytes

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

STATE_DIR = ".auteur"
KEY_FILE = "secret.key"
_URL_LABEL = b"auteur media url v1"


def state_dir_of(workspace_root: Path) -> Path:
    """The workspace's state folder (run queue, cache, tokens, audit log, the key file)."""
    return workspace_root / STATE_DIR


def key_dir_of(workspace_root: Path, secrets_dir: Path | None) -> Path:
    """Where `secret.key` (and the server's `tokens.json`) live: `AUTEUR_SECRETS_DIR`, else the
    workspace's state folder."""
    return secrets_dir if secrets_dir is not None else state_dir_of(workspace_root)


def _key_file(state_dir: Path) -> bytes:
    from cryptography.fernet import Fernet  # only where a key is generated

    path = state_dir / KEY_FILE
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only (the server tightens it too)
    key = Fernet.generate_key()
    try:
        # Whole or not at all: a process that loses the race, or starts after a crash, never
        # reads a half-written (empty) key.
        atomic_create_bytes(path, key, mode=0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    return key


def master_secret(state_dir: Path, configured: SecretStr | None) -> bytes:
    """The configured secret, else the generated key file's content."""
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode("utf-8")
    return _key_file(state_dir)


def workspace_secret(workspace_root: Path) -> bytes:
    """The secret as a runner (or any process sharing the workspace) derives it: the
    environment's `AUTEUR_SECRET_KEY`, else the key file (in `AUTEUR_SECRETS_DIR` when set)."""
    shared = SharedSettings()
    return master_secret(key_dir_of(workspace_root, shared.secrets_dir), shared.secret_key)


def fernet_for(secret: bytes) -> Fernet:
    """A Fernet for the secret: used as is when it is a Fernet key, else derived from it."""
    from cryptography.fernet import Fernet  # cryptography loads only where tokens are sealed

    try:
        return Fernet(secret)
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))


def url_signing_key(secret: bytes) -> bytes:
    """A separate key for media URLs, so a leaked URL key never decrypts tokens."""
    return hmac.new(secret, _URL_LABEL, hashlib.sha256).digest()
