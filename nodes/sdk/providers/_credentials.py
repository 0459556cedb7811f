"""Provider credentials (API keys), stored encrypted per principal.

One file per principal under the workspace's key folder (`AUTEUR_SECRETS_DIR`, else the state
folder), named by a hash of the principal and sealed with the workspace secret's Fernet (the
same secret box the server seals Spotify tokens and webhook secrets with), so a runner reads
what the server stored. Keys are held as `SecretStr`: a log line, a repr or a run record that
shows one shows `**********`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import SecretStr

from .._errors import NodeExecutionError
from .._secrets import fernet_for, key_dir_of, workspace_secret
from .._settings import SharedSettings
from ..atomic import atomic_write_bytes

CREDENTIALS_DIR = "provider_credentials"
ANONYMOUS = "local"
PROVIDER_NAME = r"^[a-z][a-z0-9_-]{0,39}$"  # what a provider may be called (a key in the sealed file)
KEY_CHARS = r"^[\x21-\x7e]{8,4096}$"  # printable, no spaces or line breaks (it goes into a header)
SHOWN_CHARS = 4


def mask(secret: SecretStr) -> str:
    """How a stored key is shown: its last four characters only."""
    return "…" + secret.get_secret_value()[-SHOWN_CHARS:]


class CredentialStore:
    """Per-principal provider keys, encrypted at rest."""

    def __init__(self, key_dir: Path, secret: bytes) -> None:
        self._dir = key_dir / CREDENTIALS_DIR
        self._fernet = fernet_for(secret)

    @classmethod
    def for_workspace(cls, workspace_root: Path) -> CredentialStore:
        """The store a runner (or the server) of this workspace shares."""
        return cls(key_dir_of(workspace_root, SharedSettings().secrets_dir), workspace_secret(workspace_root))

    def _file(self, principal: str | None) -> Path:
        digest = hashlib.sha256((principal or ANONYMOUS).encode("utf-8")).hexdigest()[:32]
        return self._dir / f"{digest}.sealed"

    def _read(self, principal: str | None) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            sealed = self._file(principal).read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(self._fernet.decrypt(sealed))
        except (InvalidToken, ValueError) as exc:
            raise NodeExecutionError("the stored provider credentials cannot be read with this workspace's "
                                     "secret (AUTEUR_SECRET_KEY changed?): store them again",
                                     code="credentials_unreadable") from exc
        return {str(key): str(value) for key, value in data.items()} if isinstance(data, dict) else {}

    def set(self, principal: str | None, provider: str, secret: SecretStr | None) -> None:
        """Store (or, with None, forget) `principal`'s key for `provider`."""
        keys = self._read(principal)
        if secret is None:
            keys.pop(provider, None)
        else:
            keys[provider] = secret.get_secret_value()
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(self._file(principal), self._fernet.encrypt(json.dumps(keys).encode("utf-8")),
                           mode=0o600)

    def get(self, principal: str | None, provider: str) -> SecretStr | None:
        value = self._read(principal).get(provider)
        return SecretStr(value) if value else None

    def providers(self, principal: str | None) -> list[str]:
        """The providers `principal` stored a key for (never the keys)."""
        return sorted(self._read(principal))

    def masked(self, principal: str | None) -> dict[str, str]:
        """Each provider `principal` stored a key for, with the key masked (`…abcd`)."""
        return {provider: mask(SecretStr(key)) for provider, key in sorted(self._read(principal).items())}

    def require(self, principal: str | None, provider: str, fallback: SecretStr | None, how: str) -> SecretStr:
        """The principal's stored key, else the configured `fallback`, else a node error saying `how`
        to provide one."""
        key = self.get(principal, provider) or (fallback if fallback and fallback.get_secret_value() else None)
        if key is None:
            raise NodeExecutionError(f"no {provider} credentials for {principal or ANONYMOUS}: {how}",
                                     code="credentials_missing", details={"provider": provider})
        return key
