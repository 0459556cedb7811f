"""Runs: submit, list, get, cancel, delete (DESIGN §6)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Response, status

from function_runners.tiers import DEFAULT_TIER

from ...governance import Action, ClientResource, Principal, RunResource, allowed, authorize
from ...graph.check import check_graph
from ...runs.manager import RunManager
from ...runs.store import RunRequest, StoredRun, SummaryPage
from ...workspace.store import ProjectRef, ProjectStore
from ..access import project_resource, run_resource
from ..deps import get_principal, get_services
from ..services import AppServices
from ..submission import RunSubmission

# These handlers are `async` on purpose: the run manager, its SQLite connection and the event
# bus live on the event loop thread and are not thread-safe (sync handlers run in a pool).
router = APIRouter(prefix="/api/runs", tags=["runs"])


def _manager(services: AppServices) -> RunManager:
    assert services.runs is not None, "the run manager starts with the app lifespan"
    return services.runs


def _project(services: AppServices, principal: Principal, project: str | None) -> ProjectRef | None:
    """The run's project, found by name or id (404 when there is none: never a path), in
    which the caller must hold the project's creator role."""
    if project is None:
        return None
    store = ProjectStore(services.settings.workspace)
    ref = store.find(project)
    authorize(principal, Action.PROJECT_RUN, project_resource(store.get(ref.name)))
    return ref


def _bind_client(services: AppServices, principal: Principal, client_id: str) -> None:
    """A client id belongs to the principal that first used it."""
    state = services.events.client(client_id)
    authorize(principal, Action.CLIENT_USE, ClientResource(client_id, state.owner))
    state.owner = state.owner or principal.name


def _owned(services: AppServices, principal: Principal, run_id: str, action: Action) -> StoredRun:
    run = _manager(services).get(run_id)
    authorize(principal, action, run_resource(run))
    return run


def run_resource_of_anyone() -> RunResource:
    """A run owned by nobody the caller could be: only an admin may touch it."""
    return RunResource(run_id="*", owner=None)


def run_view(run: StoredRun, *, full: bool = True) -> dict[str, Any]:
    """The run record (DESIGN §4) plus what was submitted and why it ended as it did."""
    record = run.record.model_dump(mode="json") if run.record is not None else {
        "run_id": run.run_id, "tier": run.tier, "project": run.project, "created_at": run.created_at,
        "started_at": run.started_at, "finished_at": run.finished_at, "nodes": {}, "outputs": {}, "errors": [],
    }
    view = {**record, "status": run.status, "reason": run.reason, "client_id": run.client_id,
            "principal": run.principal, "attempts": run.attempts}
    if full:
        view.update(prompt=run.request.prompt, graph=run.request.graph, params=run.request.params,
                    targets=run.request.targets)
    return view


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def submit_run(
    body: RunSubmission,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> dict[str, Any]:
    """Queue a run of a workflow, API prompt or template; 403 names nodes above your maturity."""
    authorize(principal, Action.RUN_SUBMIT)
    checked = check_graph(body.graph, services.registry, principal.caller, params=body.params,
                          targets=body.targets)
    project = _project(services, principal, body.project)
    run_id = uuid.uuid4().hex
    if body.client_id:
        _bind_client(services, principal, body.client_id)
        services.events.subscribe(body.client_id, runs=[run_id])
    run = StoredRun(
        run_id=run_id, status="queued",
        tier=body.tier or (project.quality if project else None) or DEFAULT_TIER,
        project=project.name if project else None, client_id=body.client_id, principal=principal.name,
        request=RunRequest(graph=body.graph, prompt=checked.prompt.dump(), params=body.params, targets=body.targets),
        created_at=time.time(),
    )
    services.audit.record_run(principal, run_id, checked.prompt, services.registry, run.project)
    manager = _manager(services)
    manager.submit(run)
    accepted: dict[str, Any] = {"run_id": run_id, "status": "queued", "tier": run.tier}
    if manager.runner_problem:
        accepted["warning"] = manager.runner_problem
    return accepted


@router.get("")
async def list_runs(
    status: str | None = Query(None, description="queued, running, completed, failed, cancelled, interrupted"),
    project: str | None = None,
    client_id: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**53, description="Runs to skip (newest first)"),
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> SummaryPage:
    """Summaries of the caller's runs (an admin's: everyone's), newest first: status, node counts
    and errors, never graphs or outputs (`GET /api/runs/{run_id}` has the whole record)."""
    authorize(principal, Action.RUN_LIST)
    mine = None if allowed(principal, Action.RUN_READ, run_resource_of_anyone()) else principal.name
    return _manager(services).store.summaries(status=status, project=project, client_id=client_id,
                                              principal=mine, limit=limit, offset=offset)


@router.get("/{run_id}")
async def get_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> dict[str, Any]:
    return run_view(_owned(services, principal, run_id, Action.RUN_READ))


@router.post("/{run_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> dict[str, Any]:
    """Stop a queued or running run; its running nodes' processes are killed."""
    _owned(services, principal, run_id, Action.RUN_CANCEL)
    run = _manager(services).cancel(run_id, f"cancelled by {principal.name}")
    return {"run_id": run.run_id, "status": run.status}


@router.delete("/{run_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> Response:
    """Remove a finished run from the history."""
    _owned(services, principal, run_id, Action.RUN_DELETE)
    _manager(services).delete(run_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
