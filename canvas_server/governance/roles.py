"""Roles (docs/architecture.md §8): what a principal may do across the server, besides its maturity."""

from __future__ import annotations

from typing import Literal

Role = Literal["admin", "creator", "viewer"]
ROLES: tuple[Role, ...] = ("viewer", "creator", "admin")
# Tokens made before roles existed, and `auteur tokens create` without --role.
DEFAULT_ROLE: Role = "creator"


def role_rank(role: Role) -> int:
    """viewer < creator < admin."""
    return ROLES.index(role)


def lower_role(first: Role, second: Role) -> Role:
    return first if role_rank(first) <= role_rank(second) else second
