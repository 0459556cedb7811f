"""Resolving the caller from a Bearer token, and the loopback rule (DESIGN §8)."""

from __future__ import annotations

import ipaddress

from nodes.sdk import AuteurError

from .principal import LOCAL_PRINCIPAL, Principal
from .tokens import TokenStore


class UnauthorizedError(AuteurError):
    code = "unauthorized"


class InsecureBindError(AuteurError):
    code = "insecure_bind"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, tokens: TokenStore) -> None:
    """Refuse to serve beyond this machine with nobody able to authenticate."""
    if not is_loopback(host) and not tokens.has_tokens():
        raise InsecureBindError(
            f"refusing to bind to {host}: no API tokens exist, so anyone on the network would "
            "run nodes as the local AUTONOMOUS user. Create one first with "
            "`auteur tokens create --name NAME --maturity SUPERVISED`, or bind to 127.0.0.1.",
            details={"host": host},
        )


class Authenticator:
    """No tokens configured: everyone is the local user (only allowed on loopback).
    Tokens configured: every request needs `Authorization: Bearer <token>`."""

    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens

    def principal(self, authorization: str | None) -> Principal:
        if not self.tokens.has_tokens():
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
