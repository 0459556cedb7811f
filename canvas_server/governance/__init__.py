"""Governance (DESIGN §8): principals and maturity, API tokens hashed at rest, audit log."""

from .audit import AuditLog
from .principal import LOCAL_PRINCIPAL, Principal
from .tokens import TokenInfo, TokenStore

__all__ = ["LOCAL_PRINCIPAL", "AuditLog", "Principal", "TokenInfo", "TokenStore"]
