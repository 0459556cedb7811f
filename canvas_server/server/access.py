"""FastAPI glue for the one authorization function (`governance.authorize`): dependencies
that check the caller before a handler runs, and the lookups that turn a run, project or
template into the resource `authorize` decides on."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketState

from nodes.sdk import AuteurError

from ..events import AuthMessage, Event
from ..governance import (
    Action,
    ClientResource,
    Principal,
    ProjectResource,
    RunResource,
    allowed,
    authorize,
)
from ..governance.authorize import decide
from ..runs.storage import off_loop
from ..runs.store import RunHeader
from ..workspace.manifest import ProjectManifest
from ..workspace.store import ProjectStore
from .bus import ClientState
from .deps import (
    accepted_subprotocol,
    authenticate,
    authorization_of,
    get_principal,
    get_services,
    principal_of,
)
from .services import AppServices

Caller = Annotated[Principal, Depends(get_principal)]
Services = Annotated[AppServices, Depends(get_services)]
POLICY_VIOLATION = 1008  # WebSocket close code: this caller may not use this socket


def project_resource(manifest: ProjectManifest) -> ProjectResource:
    return manifest.access()


def run_resource(run: RunHeader) -> RunResource:
    return RunResource(run_id=run.run_id, owner=run.principal)


def authorize_project(services: AppServices, principal: Principal, project: str, action: Action) -> None:
    """Unknown or traversing names are 404 (`project_not_found`) before any role is checked."""
    manifest = ProjectStore(services.settings.workspace).get(project)
    authorize(principal, action, project_resource(manifest))


class Allowed:
    """`Depends(Allowed(Action.X))`: a server-wide action the caller's role must allow."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, principal: Caller) -> Principal:  # memory only: no thread-pool hop
        authorize(principal, self.action)
        return principal


class OnProject:
    """`Depends(OnProject(Action.X))` for routes under `/api/projects/{project}`."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def __call__(self, project: str, principal: Caller, services: Services) -> Principal:
        authorize_project(services, principal, project, self.action)
        return principal


# Routers of other packs mounted under `/api/projects/{project}/...`: the HTTP method decides.
_ACTION_BY_METHOD = {"GET": Action.PROJECT_READ, "HEAD": Action.PROJECT_READ}
_ACTION_BY_SUFFIX = {"/git/commit": Action.PROJECT_COMMIT}


def project_route_action(method: str, path: str) -> Action:
    for suffix, action in _ACTION_BY_SUFFIX.items():
        if path.endswith(suffix):
            return action
    return _ACTION_BY_METHOD.get(method.upper(), Action.PROJECT_EDIT)


def project_guard(request: Request, principal: Caller, services: Services) -> Principal:
    """Router-level dependency: reads are `project.read`, writes `project.edit` (commit:
    `project.commit`). Routes without `{project}` pass through unchecked here."""
    project = request.path_params.get("project")
    if isinstance(project, str):
        authorize_project(services, principal, project, project_route_action(request.method, request.url.path))
    return principal


__all__ = ["Allowed", "EventAccess", "OnProject", "authorize_project", "project_guard", "project_resource", "run_resource"]


class EventAccess:
    """What one WebSocket principal may see: runs it may read and projects it may read.
    Answers are cached for one check (a subscribe or a replay), not for the connection."""

    def __init__(self, services: AppServices, principal: Principal) -> None:
        self.services = services
        self.principal = principal
        self._runs: dict[str, bool] = {}
        self._projects: dict[str, bool] = {}

    async def run(self, run_id: str) -> bool:
        if run_id not in self._runs:
            store = self.services.runs.store
            stored = await off_loop(store.shared, store.get, run_id)
            resource = run_resource(stored) if stored is not None else RunResource(run_id=run_id, owner=None)
            self._runs[run_id] = allowed(self.principal, Action.RUN_READ, resource)
        return self._runs[run_id]

    def project(self, name: str) -> bool:
        if name not in self._projects:
            try:
                manifest = ProjectStore(self.services.settings.workspace).get(name)
            except AuteurError:
                self._projects[name] = False
            else:
                self._projects[name] = allowed(self.principal, Action.PROJECT_READ, manifest.access())
        return self._projects[name]

    def run_event(self, event: Event) -> bool:
        """A run's event follows the principal recorded with it (its run's owner when it was
        published), never the run's owner now: an id taken over later replays nothing earlier."""
        return event.run_id is not None and allowed(
            self.principal, Action.RUN_READ, RunResource(run_id=event.run_id, owner=event.owner))

    def event(self, event: Event) -> bool:
        """A run's events follow their recorded owner; a project's events follow the project."""
        if event.run_id is None and event.project is None:
            return True  # a broadcast notice
        if self.run_event(event):
            return True
        return event.project is not None and self.project(event.project)


async def admit_client(websocket: WebSocket, services: AppServices, client_id: str,
                       bus_key: str | None = None) -> tuple[Principal, ClientState] | None:
    """Accept a WebSocket for its caller and bind the bus client to it from now on. The caller
    comes from its token (header, subprotocol or query) or, when it sent none, from a first
    message `{"type": "auth", "token": ...}` within `AUTH_MESSAGE_S` (it receives nothing
    until then). A missing or revoked token, or a client id first used by another principal,
    closes the socket with 1008 and the reason (None then). `bus_key`: the client's id on the
    bus when it is namespaced there (ComfyUI's `comfy:<clientId>`)."""
    principal = await _caller(websocket, services)
    if principal is None:
        return None
    key = bus_key or client_id
    known = services.events.peek(key)  # a refused caller leaves no state behind
    reason = decide(principal, Action.CLIENT_USE, ClientResource(client_id, known.owner if known else None))
    if reason is not None:
        await websocket.close(code=POLICY_VIOLATION, reason=reason[:120])
        return None
    state = services.events.client(key)
    try:
        services.events.own(state, principal.name)
    except AuteurError as exc:
        await websocket.close(code=POLICY_VIOLATION, reason=exc.message[:120])
        return None
    if websocket.client_state == WebSocketState.CONNECTING:
        await websocket.accept(subprotocol=accepted_subprotocol(websocket))
    return principal, state


AUTH_MESSAGE_S = 5.0  # how long a client that connected without a token has to send one


async def _caller(websocket: WebSocket, services: AppServices) -> Principal | None:
    """The principal the same authenticator finds for the socket's token; a socket that
    brought no token is accepted silently and must name one in its first message."""
    try:
        return await principal_of(websocket)
    except AuteurError as exc:
        if authorization_of(websocket) is not None:
            await websocket.close(code=POLICY_VIOLATION, reason=exc.message[:120])
            return None
    await websocket.accept(subprotocol=accepted_subprotocol(websocket))
    try:
        async with asyncio.timeout(AUTH_MESSAGE_S):
            first = await websocket.receive()
    except TimeoutError:
        await websocket.close(code=POLICY_VIOLATION, reason=f"no token: send {{type: auth, token}} within {AUTH_MESSAGE_S:g} s")
        return None
    if first["type"] == "websocket.disconnect":
        return None
    try:
        message = AuthMessage.model_validate_json(first.get("text") or first.get("bytes") or b"")
        return await authenticate(services, f"Bearer {message.token}")
    except ValidationError:
        reason = "no token: the first message must be {type: auth, token}"
    except AuteurError as exc:
        reason = exc.message
    await websocket.close(code=POLICY_VIOLATION, reason=reason[:120])
    return None
