"""The one authorization function (docs/architecture.md §8): `authorize(principal, action, resource)`.

HTTP routes, the WebSocket (connect, subscribe, replay, client ids), the CLI and the
ComfyUI adapter all ask it; nothing else decides who may do what.

- Server-wide actions depend on the principal's role: viewers read, creators also submit
  runs, create projects and save templates, admins do everything (tokens included).
- A run belongs to the principal that submitted it: others see, cancel or delete it only
  as admin.
- A project has an owner and members with a role each. Viewers read it; creators of the
  project edit, run and commit; the owner and admins delete and share it. A member's role in
  a project never exceeds its role on the server. A project with no owner (made before roles)
  is open to every principal at its server role, but only admins delete or share it.
- Provider keys belong to their principal (a creator); only it or an admin manages them.
- Built-in templates are read-only for everyone; a saved template belongs to its author.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from nodes.sdk import AuteurError

from .principal import Principal
from .roles import Role, lower_role, role_rank


class Action(StrEnum):
    CATALOG_READ = "catalog.read"
    GRAPH_CHECK = "graph.check"
    RUN_LIST = "run.list"
    RUN_SUBMIT = "run.submit"
    RUN_READ = "run.read"
    RUN_CANCEL = "run.cancel"
    RUN_DELETE = "run.delete"
    RUN_CONTROL = "run.control"  # move, prioritize or retry a run
    RUN_REVIEW = "run.review"  # decide about a run waiting for review (approve, reject, edit, ask for changes)
    QUEUE_CONTROL = "queue.control"  # pause and resume the whole queue
    WEBHOOK_MANAGE = "webhook.manage"  # make, list, delete webhooks, replay their deliveries
    PROJECT_LIST = "project.list"
    PROJECT_CREATE = "project.create"
    PROJECT_READ = "project.read"
    PROJECT_EDIT = "project.edit"
    PROJECT_RUN = "project.run"
    PROJECT_COMMIT = "project.commit"
    PROJECT_DELETE = "project.delete"
    PROJECT_SHARE = "project.share"
    PROJECT_REPAIR = "project.repair"
    TEMPLATE_READ = "template.read"
    TEMPLATE_WRITE = "template.write"
    CLIENT_USE = "client.use"
    INTEGRATION_USE = "integration.use"
    TOKEN_ADMIN = "token.admin"
    USERDATA_READ = "userdata.read"  # the caller's own ComfyUI settings and files
    USERDATA_WRITE = "userdata.write"
    CREDENTIAL_MANAGE = "credential.manage"  # store, list (masked), replace, delete provider keys


@dataclass(frozen=True)
class RunResource:
    run_id: str
    owner: str | None


@dataclass(frozen=True)
class ProjectResource:
    name: str
    owner: str | None
    members: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateResource:
    template_id: str
    builtin: bool
    author: str | None = None


@dataclass(frozen=True)
class ClientResource:
    """A WebSocket `client_id`; `owner` is the principal that first used it (None: unused)."""

    client_id: str
    owner: str | None


@dataclass(frozen=True)
class WebhookResource:
    """A webhook (and its deliveries); `owner` is the principal that made it."""

    webhook_id: str
    owner: str


@dataclass(frozen=True)
class CredentialResource:
    """The provider keys of principal `owner`: only it (or an admin, e.g. the local CLI) manages them."""

    owner: str


Resource = CredentialResource | RunResource | ProjectResource | TemplateResource | ClientResource | WebhookResource | None


class ForbiddenError(AuteurError):
    code = "forbidden"


# Server-wide actions (no resource): the least role that may do them.
_SERVER_ROLE: dict[Action, Role] = {
    Action.CATALOG_READ: "viewer",
    Action.GRAPH_CHECK: "viewer",
    Action.RUN_LIST: "viewer",
    Action.PROJECT_LIST: "viewer",
    Action.TEMPLATE_READ: "viewer",
    Action.USERDATA_READ: "viewer",
    Action.USERDATA_WRITE: "viewer",
    Action.RUN_SUBMIT: "creator",
    Action.PROJECT_CREATE: "creator",
    Action.TEMPLATE_WRITE: "creator",
    Action.INTEGRATION_USE: "creator",
    Action.TOKEN_ADMIN: "admin",
    Action.QUEUE_CONTROL: "admin",
    Action.WEBHOOK_MANAGE: "creator",
}

# Project actions: the least role in the project ("owner" is above creator).
_PROJECT_ROLE: dict[Action, str] = {
    Action.PROJECT_READ: "viewer",
    Action.PROJECT_EDIT: "creator",
    Action.PROJECT_RUN: "creator",
    Action.PROJECT_COMMIT: "creator",
    Action.PROJECT_REPAIR: "creator",
    Action.PROJECT_DELETE: "owner",
    Action.PROJECT_SHARE: "owner",
}
_PROJECT_RANKS = {"viewer": 0, "creator": 1, "owner": 2}


def _is_admin(principal: Principal) -> bool:
    return principal.role == "admin"


def _project_role(principal: Principal, project: ProjectResource) -> str | None:
    """The caller's role in this project, capped by its role on the server."""
    if _is_admin(principal) or project.owner == principal.name:
        return "owner" if role_rank(principal.role) >= role_rank("creator") else principal.role
    if project.owner is None:
        return principal.role
    member = project.members.get(principal.name)
    return lower_role(member, principal.role) if member is not None else None


def decide(principal: Principal, action: Action, resource: Resource = None) -> str | None:
    """None when allowed, else the reason it is not (for the 403 message)."""
    if isinstance(resource, RunResource):
        if action not in (Action.RUN_READ, Action.RUN_CANCEL, Action.RUN_DELETE, Action.RUN_CONTROL,
                          Action.RUN_REVIEW):
            return f"{action} does not apply to a run"
        if _is_admin(principal) or (resource.owner is not None and resource.owner == principal.name):
            return None
        return f"run {resource.run_id} belongs to another principal"
    if isinstance(resource, ProjectResource):
        needed = _PROJECT_ROLE.get(action)
        if needed is None:
            return f"{action} does not apply to a project"
        if action in (Action.PROJECT_DELETE, Action.PROJECT_SHARE) and resource.owner is None:
            return None if _is_admin(principal) else f"only an admin may {action.split('.')[1]} project {resource.name}"
        have = _project_role(principal, resource)
        if have is None:
            return f"{principal.name} is not a member of project {resource.name}"
        if _PROJECT_RANKS[have] < _PROJECT_RANKS[needed]:
            return f"{action} on project {resource.name} needs its {needed} role; {principal.name} is {have}"
        return None
    if isinstance(resource, TemplateResource):
        if action == Action.TEMPLATE_READ:
            return None
        if action != Action.TEMPLATE_WRITE:
            return f"{action} does not apply to a template"
        if resource.builtin:
            return f"template {resource.template_id} is built in and read-only; save it under another name"
        if role_rank(principal.role) < role_rank("creator"):
            return f"saving templates needs the creator role; {principal.name} is {principal.role}"
        if _is_admin(principal) or resource.author in (None, principal.name):
            return None
        return f"template {resource.template_id} belongs to {resource.author}"
    if isinstance(resource, WebhookResource):
        if action != Action.WEBHOOK_MANAGE:
            return f"{action} does not apply to a webhook"
        if _is_admin(principal) or resource.owner == principal.name:
            return None
        return f"webhook {resource.webhook_id} belongs to another principal"
    if isinstance(resource, CredentialResource):
        if action != Action.CREDENTIAL_MANAGE:
            return f"{action} does not apply to provider keys"
        if role_rank(principal.role) < role_rank("creator"):
            return f"provider keys need the creator role; {principal.name} is {principal.role}"
        if _is_admin(principal) or resource.owner == principal.name:
            return None
        return f"the provider keys of {resource.owner} belong to another principal"
    if isinstance(resource, ClientResource):
        if action != Action.CLIENT_USE:
            return f"{action} does not apply to a client id"
        if resource.owner is None or resource.owner == principal.name:
            return None
        return f"client id {resource.client_id} belongs to another principal"
    needed_role = _SERVER_ROLE.get(action)
    if needed_role is None:
        return f"{action} needs a resource"
    if role_rank(principal.role) < role_rank(needed_role):
        return f"{action} needs the {needed_role} role; {principal.name} is {principal.role}"
    return None


def allowed(principal: Principal, action: Action, resource: Resource = None) -> bool:
    return decide(principal, action, resource) is None


def authorize(principal: Principal, action: Action, resource: Resource = None) -> None:
    """Raise `forbidden` (403) unless `principal` may do `action` on `resource`."""
    reason = decide(principal, action, resource)
    if reason is not None:
        raise ForbiddenError(reason, details={"action": str(action), "principal": principal.name,
                                              "role": principal.role})
