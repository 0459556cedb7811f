"""Resolving the caller from a Bearer token, and the loopback rule (docs/architecture.md §8)."""

from __future__ import annotations

from collections.abc import Sequence

from nodes.sdk import AuteurError, is_loopback_host

from .principal import LOCAL_PRINCIPAL, Principal
from .tokens import TokenStore


class UnauthorizedError(AuteurError):
    code = "unauthorized"


class InsecureBindError(AuteurError):
    code = "insecure_bind"


def is_loopback(host: str, trusted: Sequence[str] = ()) -> bool:
    """Whether binding to `host` keeps the server on this machine. `trusted` (the
    `loopback_hosts` setting), when given, is the whole list of such addresses."""
    if trusted:
        return host in trusted
    return is_loopback_host(host)


def check_bind(host: str, tokens: TokenStore, trusted: Sequence[str] = ()) -> None:
    """Refuse to serve beyond this machine with nobody able to authenticate."""
    if not is_loopback(host, trusted) and not tokens.has_tokens():
        raise InsecureBindError(
            f"refusing to bind to {host}: no API tokens exist, so anyone on the network would "
            "run nodes as the local AUTONOMOUS user. Create one first with "
            "`auteur tokens create --name NAME --maturity SUPERVISED`, or bind to 127.0.0.1.",
            details={"host": host},
        )


class Authenticator:
    """Tokens configured: every request needs `Authorization: Bearer <token>`. No tokens ever on a
    loopback bind: everyone is the local user. No tokens on any other bind (the last one was
    revoked while serving): the API is locked, never opened to the network as the local user.
    On loopback too, once tokens existed, revoking the last one locks the API until
    `auteur tokens reset-local` says otherwise: the mode never changes silently."""

    def __init__(self, tokens: TokenStore, *, require_tokens: bool = False) -> None:
        self.tokens = tokens
        self.require_tokens = require_tokens

    def principal(self, authorization: str | None) -> Principal:
        if not self.tokens.has_tokens():
            if self.require_tokens:
                raise UnauthorizedError(
                    "this server is bound beyond loopback and has no active API token: the API is "
                    "locked until one is created with `auteur tokens create`"
                )
            if self.tokens.locked():
                raise UnauthorizedError(
                    "every API token of this server is revoked: the API is locked until one is created "
                    "with `auteur tokens create`, or `auteur tokens reset-local` returns it to no-token local use"
                )
            return LOCAL_PRINCIPAL
        if not authorization:
            raise UnauthorizedError("this server requires an API token: send `Authorization: Bearer <token>`")
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise UnauthorizedError("the Authorization header must be `Bearer <token>`")
        principal = self.tokens.authenticate(secret.strip())
        if principal is None:
            raise UnauthorizedError("unknown or revoked API token")
        return principal
