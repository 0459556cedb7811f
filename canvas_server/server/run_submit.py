"""The one way a run enters the queue from the server: `POST /api/runs` and ComfyUI's
`POST /prompt` both call `submit_run` (DESIGN §6, §8, §11).

In order: the caller may submit runs at all (`run.submit`); the graph passes `graph.check`
with the caller's maturity (MaturityError names the nodes above it); the project is found by
name or id (404, never a path) and the caller holds its creator role (`project.run`); a
`client_id` is bound to the principal that first used it and subscribed to the run; the run
is audited and queued. Every refusal is an `AuteurError` the caller maps to its own shape.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from function_runners.tiers import DEFAULT_TIER

from ..governance import Action, ClientResource, Principal, authorize
from ..graph.check import check_graph
from ..runs.store import RunRequest, StoredRun
from ..workspace.store import ProjectRef, ProjectStore
from .access import project_resource
from .services import AppServices


def run_project(services: AppServices, principal: Principal, project: str | None) -> ProjectRef | None:
    """The run's project, found by name or id (404 when there is none: never a path), in
    which the caller must hold the project's creator role."""
    if project is None:
        return None
    store = ProjectStore(services.settings.workspace)
    ref = store.find(project)
    authorize(principal, Action.PROJECT_RUN, project_resource(store.get(ref.name)))
    return ref


def bind_client(services: AppServices, principal: Principal, client_id: str) -> None:
    """A client id belongs to the principal that first used it (`client.use`)."""
    state = services.events.client(client_id)
    authorize(principal, Action.CLIENT_USE, ClientResource(client_id, state.owner))
    state.owner = state.owner or principal.name


def submit_run(
    services: AppServices,
    principal: Principal,
    graph: dict[str, Any],
    *,
    tier: str | None = None,
    project: str | None = None,
    params: dict[str, Any] | None = None,
    targets: list[str] | None = None,
    client_id: str | None = None,
    run_id: str | None = None,
) -> StoredRun:
    """Check, authorize, audit and queue one run; returns it as stored (status `queued`)."""
    authorize(principal, Action.RUN_SUBMIT)
    params = params or {}
    checked = check_graph(graph, services.registry, principal.caller, params=params, targets=targets)
    ref = run_project(services, principal, project)
    run_id = run_id or uuid.uuid4().hex
    if client_id:
        bind_client(services, principal, client_id)
        services.events.subscribe(client_id, runs=[run_id])
    run = StoredRun(
        run_id=run_id, status="queued",
        tier=tier or (ref.quality if ref else None) or DEFAULT_TIER,
        project=ref.name if ref else None, client_id=client_id, principal=principal.name,
        request=RunRequest(graph=graph, prompt=checked.prompt.dump(), params=params, targets=targets),
        created_at=time.time(),
    )
    services.audit.record_run(principal, run_id, checked.prompt, services.registry, run.project)
    services.runs.submit(run)
    return run
