"""Runs: submit, list, get, cancel, delete (docs/architecture.md §6)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from ...engine.record import RunRecord, RunStatus
from ...governance import Action, Principal, RunResource, allowed, authorize
from ...runs.storage import off_loop
from ...runs.store import StoredRun, SummaryPage
from .. import run_submit
from ..access import run_resource
from ..deps import get_principal, get_services
from ..openapi import SUBMIT_RESPONSES
from ..services import AppServices
from ..submission import RunSubmission

# These handlers are `async` on purpose: the run manager, its SQLite connection and the event
# bus live on the event loop thread and are not thread-safe (sync handlers run in a pool).
router = APIRouter(prefix="/api/runs", tags=["runs"])


async def _owned(services: AppServices, principal: Principal, run_id: str, action: Action) -> StoredRun:
    run = await services.runs.read(run_id)
    authorize(principal, action, run_resource(run))
    return run


def accepted(services: AppServices, run: StoredRun) -> RunAccepted:
    """The answer to a run just queued (with the Function Runner's problem, if it has one)."""
    return RunAccepted(run_id=run.run_id, tier=run.tier, warning=services.runs.runner_problem or None)


def run_resource_of_anyone() -> RunResource:
    """A run owned by nobody the caller could be: only an admin may touch it."""
    return RunResource(run_id="*", owner=None)


class RunAccepted(BaseModel):
    run_id: str
    status: Literal["queued"] = "queued"
    tier: str
    warning: str | None = Field(None, description="Why the run may wait: the Function Runner's problem")


class RunCancelling(BaseModel):
    run_id: str
    status: RunStatus


class RunView(RunRecord):
    """The run record (docs/architecture.md §4) plus what was submitted and why it ended as it did."""

    reason: str | None = Field(description="Why it ended as it did (cancelled by…, interrupted by…)")
    client_id: str | None
    principal: str = Field(description="Who submitted it")
    attempts: int = Field(description="Times it was started (a restart re-queues a running run)")
    prompt: dict[str, Any] = Field(description="The API prompt that runs")
    graph: Any = Field(description="The graph as submitted")
    params: dict[str, Any] = Field(description="Template parameter overrides")
    targets: list[str] | None = Field(description="Output nodes asked for (None: every output node)")


def run_view(run: StoredRun) -> RunView:
    record = run.record or RunRecord(
        run_id=run.run_id, tier=run.tier, project=run.project, created_at=run.created_at,
        started_at=run.started_at, finished_at=run.finished_at,
    )
    request = run.request
    return RunView(
        **{**dict(record), "status": run.status}, reason=run.reason, client_id=run.client_id,
        principal=run.principal, attempts=run.attempts, prompt=request.prompt, graph=request.graph,
        params=request.params, targets=request.targets,
    )


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def submit_run(
    body: RunSubmission,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> RunAccepted:
    """Queue a run of a workflow, API prompt or template; 403 names nodes above your maturity."""
    run = await run_submit.submit_run(services, principal, body.graph, tier=body.tier, project=body.project,
                                params=body.params, targets=body.targets, client_id=body.client_id,
                                priority=body.priority)
    return accepted(services, run)


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
    store = services.runs.store
    return await off_loop(store.shared, store.summaries, status=status, project=project, client_id=client_id,
                          principal=mine, limit=limit, offset=offset)


@router.get("/{run_id}")
async def get_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> RunView:
    run = await services.runs.read(run_id)
    authorize(principal, Action.RUN_READ, run_resource(run))
    return run_view(run)


@router.post("/{run_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> RunCancelling:
    """Stop a queued or running run; its running nodes' processes are killed."""
    await _owned(services, principal, run_id, Action.RUN_CANCEL)
    run = await services.runs.cancel(run_id, f"cancelled by {principal.name}")
    return RunCancelling(run_id=run.run_id, status=run.status)


@router.delete("/{run_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_run(
    run_id: str,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> Response:
    """Remove a finished run from the history."""
    await _owned(services, principal, run_id, Action.RUN_DELETE)
    await services.runs.delete(run_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
