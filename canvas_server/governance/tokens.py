"""API tokens: created once (the secret is shown only then), stored as SHA-256 hashes.

Tokens are 32 random bytes, so a fast hash is enough; a slow KDF only matters for
low-entropy secrets such as passwords. The file is re-read when it changes (and the
PostgreSQL document on every use), so tokens made with `auteur tokens create` apply to a
running server without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field, model_validator

from nodes.sdk import AuteurError, MaturityLevel, atomic_write_text

from .principal import LOCAL_PRINCIPAL, Principal
from .roles import DEFAULT_ROLE, Role
from .state import private_dir

if TYPE_CHECKING:
    from ..settings import Settings

TOKEN_PREFIX = "aut_"


class TokenInfo(BaseModel):
    """What is stored about a token; never the token itself."""

    id: str
    name: str
    maturity: MaturityLevel
    role: Role = DEFAULT_ROLE
    sha256: str
    created_at: float
    revoked: bool = False


TOKENS_SCHEMA_VERSION = 2  # 1: before roles (no `schema_version` key); 2: every token has a role


class TokenFileTooNewError(AuteurError):
    code = "tokens_schema_too_new"


def _migrate_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Tokens made before roles existed become the default role, stated in the file."""
    tokens = [{"role": DEFAULT_ROLE, **token} for token in data.get("tokens", [])]
    return {**data, "tokens": tokens, "schema_version": 2}


class TokenFile(BaseModel):
    """Every token made on this workspace (revoked ones too: their names stay taken)."""

    schema_version: int = TOKENS_SCHEMA_VERSION
    tokens: list[TokenInfo] = Field(default_factory=list)
    # Set by `auteur tokens reset-local`: every token is revoked and the loopback server may be
    # used without one again. Cleared by the next `create`.
    local_mode: bool = False

    @model_validator(mode="before")
    @classmethod
    def _forward(cls, data: Any) -> Any:
        """Carry a file written by an earlier version forward; refuse one from a later version."""
        if not isinstance(data, dict):
            return data
        version = int(data.get("schema_version", 1))
        if version > TOKENS_SCHEMA_VERSION:
            raise TokenFileTooNewError(
                f"tokens.json has schema version {version}, newer than this Auteur's "
                f"{TOKENS_SCHEMA_VERSION}: upgrade Auteur")
        return _migrate_v1(data) if version == 1 else data


class TokenNotFoundError(AuteurError):
    code = "token_not_found"


class TokenNameTakenError(AuteurError):
    code = "token_name_taken"


class TokensActiveError(AuteurError):
    code = "conflict"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenDocument(Protocol):
    """Where the tokens are kept: read whole (fresh: another process may have changed them),
    written whole. A write that lost a race with another writer raises TokensChangedError."""

    def load(self) -> TokenFile: ...
    def save(self, data: TokenFile) -> None: ...


class TokensChangedError(AuteurError):
    """Another server changed the tokens between this one's read and write: nothing was written."""

    code = "conflict"


class TokenFileDocument:
    """`<key_dir>/tokens.json`, written atomically with 0600 permissions, reread when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._cache = TokenFile()

    def load(self) -> TokenFile:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._mtime, self._cache = None, TokenFile()
            return self._cache
        if mtime != self._mtime:
            self._cache = TokenFile.model_validate_json(self.path.read_text(encoding="utf-8"))
            self._mtime = mtime
        return self._cache

    def save(self, data: TokenFile) -> None:
        private_dir(self.path.parent)
        atomic_write_text(self.path, data.model_dump_json(indent=2), mode=0o600)
        self._mtime = None


MAX_PRINCIPAL_NAME = 200


class PrincipalNameInvalidError(AuteurError):
    code = "request_invalid"


def check_principal_name(name: str) -> str:
    """A token's name is the principal's id in every store (runs, audit, memberships, the
    PostgreSQL tables), so it is text each of them keeps whole: 1-200 characters, none of them a
    control character (NUL: PostgreSQL's text refuses it) or a lone surrogate (not text at all,
    e.g. undecodable bytes on a command line). Every way a token is made goes through here."""
    bad = next((char for char in name if unicodedata.category(char) in ("Cc", "Cs")), None)
    if not name.strip() or len(name) > MAX_PRINCIPAL_NAME or bad is not None:
        shown = name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]
        raise PrincipalNameInvalidError(
            f"token name {shown!r} is not a usable name: 1-{MAX_PRINCIPAL_NAME} printable characters, no control "
            "character (such as NUL) and no undecodable bytes", details={"name": shown})
    return name


class TokenStore:
    """The API tokens, hashed at rest, in `tokens.json` (a path) or another `TokenDocument`
    (PostgreSQL for replicas: `token_store`)."""

    def __init__(self, source: Path | TokenDocument) -> None:
        self.document: TokenDocument = TokenFileDocument(source) if isinstance(source, Path) else source

    def _load(self) -> TokenFile:
        return self.document.load()

    def _save(self, data: TokenFile) -> None:
        self.document.save(data)

    def active(self) -> list[TokenInfo]:
        return [token for token in self._load().tokens if not token.revoked]

    def all(self) -> list[TokenInfo]:
        return list(self._load().tokens)

    def has_tokens(self) -> bool:
        return bool(self.active())

    def create(self, name: str, maturity: MaturityLevel, role: Role = DEFAULT_ROLE) -> tuple[TokenInfo, str]:
        """A new token; returns its record and the secret (shown once, never stored).

        Runs, projects and client ids belong to the token's name, so a name is the principal's
        stable id: it is never given to a second token, not even after the first is revoked
        (else the new token would inherit the old one's projects), and `local` stays the
        loopback user's."""
        check_principal_name(name)
        if name == LOCAL_PRINCIPAL.name:
            raise TokenNameTakenError(f"{name!r} is the local user's name (it owns what was made without tokens); "
                                      "pick another name", details={"name": name})
        used = next((token for token in self._load().tokens if token.name == name), None)
        if used is not None:
            state = "a revoked token" if used.revoked else "an active token"
            raise TokenNameTakenError(f"{name!r} was already used by {state} ({used.id}); names are never reused, "
                                      "so what that token owns stays its own: pick another name",
                                      details={"name": name, "token_id": used.id})
        token_id = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        info = TokenInfo(
            id=token_id, name=name, maturity=maturity, role=role, sha256=_digest(secret), created_at=time.time()
        )
        data = self._load().model_copy(deep=True)
        data.tokens.append(info)
        data.local_mode = False
        self._save(data)
        return info, secret

    def locked(self) -> bool:
        """No active token, but tokens existed: the API stays locked (a loopback server never
        falls back to the local user by itself) until `reset_local`."""
        data = self._load()
        return bool(data.tokens) and not data.local_mode and not self.has_tokens()

    def reset_local(self) -> None:
        """Return a loopback server to no-token local mode, on purpose (`auteur tokens reset-local`).
        Refused while a token is active; revoked tokens stay listed, so their names stay taken."""
        active = self.active()
        if active:
            raise TokensActiveError("tokens are still active: revoke them first ("
                                    + ", ".join(f"{token.name} {token.id}" for token in active) + ")",
                                    details={"active": [token.id for token in active]})
        data = self._load().model_copy(deep=True)
        data.local_mode = True
        self._save(data)

    def revoke(self, token_id: str) -> TokenInfo:
        data = self._load().model_copy(deep=True)
        for token in data.tokens:
            if token.id == token_id or token.name == token_id:
                token.revoked = True
                self._save(data)
                return token
        raise TokenNotFoundError(f"no token with id or name {token_id!r}")

    def authenticate(self, secret: str) -> Principal | None:
        digest = _digest(secret)
        for token in self.active():
            if hmac.compare_digest(token.sha256, digest):
                return Principal(name=token.name, maturity=token.maturity, role=token.role, token_id=token.id)
        return None


def token_store(settings: Settings) -> TokenStore:
    """The server's tokens: in PostgreSQL with AUTEUR_DATABASE_URL (every replica and the CLI
    see one list), else the workspace's `tokens.json`."""
    if settings.database_url:
        from ..db.tokens import PgTokenDocument  # SQLAlchemy loads only when a database is set

        return TokenStore(PgTokenDocument.at(settings.database_url))
    return TokenStore(settings.tokens_file)
