"""Batches: submit a graph with a table of parameter values, follow, cancel and retry them
(docs/architecture.md §12; `server/batches.py` does the work)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, field_validator

from function_runners.tiers import TierName

from ...governance import Action, Principal
from ...graph.check import finite_json
from ...request_body import RequestBody
from ...runs.store import FINISHED, RunSummary
from .. import batches, run_submit
from ..deps import get_principal, get_services
from ..openapi import SUBMIT_RESPONSES
from ..services import AppServices

router = APIRouter(prefix="/api/batches", tags=["batches"])


class BatchSubmission(RequestBody):
    graph: dict[str, Any] = Field(min_length=1, description="A litegraph workflow, an API prompt or a template")
    table: str | list[dict[str, Any]] = Field(
        description="CSV text (a header row naming NODE.INPUT or exposed parameters, one row per run) "
                    "or a JSON list of objects with the same keys")
    params: dict[str, Any] = Field(default_factory=dict, description="Overrides every row shares (a row's own win)")
    tier: TierName | None = None
    project: str | None = None
    client_id: str | None = Field(None, max_length=200)
    priority: int = Field(0, ge=-100, le=100)

    _finite = field_validator("graph", "params", "table")(finite_json)


class BatchAccepted(BaseModel):
    batch_id: str
    runs: list[str] = Field(description="One run id per row, in row order")


class BatchView(BaseModel):
    batch_id: str
    principal: str
    total: int = Field(description="Rows")
    counts: dict[str, int] = Field(description="Rows by the status of their latest run")
    done: bool = Field(description="Every row's latest run has ended")
    runs: list[RunSummary] = Field(description="Each row's latest run, in row order")


class BatchChange(BaseModel):
    batch_id: str
    runs: list[str] = Field(description="The runs cancelled, or the new runs of the retried rows")


def batch_view(batch_id: str, runs: list[RunSummary]) -> BatchView:
    rows = batches.current(runs)
    counts: dict[str, int] = {}
    for run in rows:
        counts[run.status] = counts.get(run.status, 0) + 1
    return BatchView(batch_id=batch_id, principal=rows[0].principal, total=len(rows), counts=counts,
                     done=all(run.status in FINISHED for run in rows), runs=rows)


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def submit_batch(
    body: BatchSubmission,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> BatchAccepted:
    """One run per table row under one batch id; 429 before any is queued when they do not all fit."""
    batch_id, run_ids = await batches.submit_batch(
        services, principal, body.graph, body.table, params=body.params, tier=body.tier, project=body.project,
        client_id=body.client_id, priority=body.priority)
    return BatchAccepted(batch_id=batch_id, runs=run_ids)


@router.get("/{batch_id}")
async def get_batch(
    batch_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> BatchView:
    return batch_view(batch_id, await batches.batch_runs(services, principal, batch_id, Action.RUN_READ))


@router.post("/{batch_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_batch(
    batch_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> BatchChange:
    """Cancel every queued or running run of the batch."""
    runs = await batches.batch_runs(services, principal, batch_id, Action.RUN_CANCEL)
    cancelled = [run.run_id for run in runs if run.status not in FINISHED]
    for run_id in cancelled:
        await services.runs.cancel(run_id, f"batch cancelled by {principal.name}")
    return BatchChange(batch_id=batch_id, runs=cancelled)


@router.post("/{batch_id}/retry", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def retry_batch(
    batch_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> BatchChange:
    """Retry the rows whose latest run failed, was interrupted or cancelled (cached nodes reused)."""
    rows = batches.current(await batches.batch_runs(services, principal, batch_id, Action.RUN_CONTROL))
    again = [run for run in rows if run.status in run_submit.RETRYABLE]
    await batches.check_room(services, principal, len(again))
    retried = []
    for summary in again:
        run = await run_submit.retry_run(services, principal, await services.runs.read(summary.run_id))
        retried.append(run.run_id)
    return BatchChange(batch_id=batch_id, runs=retried)
