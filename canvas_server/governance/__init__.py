"""Governance (docs/architecture.md §8): principals with a role and a maturity, the one authorization
function, API tokens hashed at rest, audit log."""

from .audit import AuditLog
from .authorize import (
    Action,
    ClientResource,
    CredentialResource,
    ForbiddenError,
    ProjectResource,
    RunResource,
    TemplateResource,
    WebhookResource,
    allowed,
    authorize,
)
from .principal import LOCAL_PRINCIPAL, Principal
from .roles import ROLES, Role
from .tokens import TokenInfo, TokenStore

__all__ = [
    "LOCAL_PRINCIPAL", "ROLES", "Action", "AuditLog", "ClientResource", "CredentialResource", "ForbiddenError", "Principal",
    "ProjectResource", "Role", "RunResource", "TemplateResource", "TokenInfo", "TokenStore", "WebhookResource", "allowed",
    "authorize",
]
