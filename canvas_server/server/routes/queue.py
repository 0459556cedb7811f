"""Queue control (docs/architecture.md §12): the queue in dispatch order, pause and resume it; move,
prioritize and retry one run. Every route asks `authorize`: pausing the whole queue is an
admin's (`queue.control`), a run's place, priority and retry its owner's (`run.control`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from ...governance import Action, Principal, allowed, authorize
from ...request_body import RequestBody
from ...runs.manager import Move
from ...runs.storage import off_loop
from ...runs.store import RunSummary, StoredRun
from .. import run_submit
from ..deps import get_principal, get_services
from ..openapi import SUBMIT_RESPONSES
from ..services import AppServices
from .runs import RunAccepted, _owned, accepted, run_resource_of_anyone

router = APIRouter(prefix="/api", tags=["queue"])


class QueueView(BaseModel):
    paused: bool = Field(description="No run starts while paused; running runs finish")
    running: list[RunSummary]
    queued: list[RunSummary] = Field(description="In the order they will start (round-robin across principals)")


class QueueState(BaseModel):
    paused: bool


class MoveBody(RequestBody):
    to: Move = Field(description="up, down (one place in its submitter's line), front or back")


class PriorityBody(RequestBody):
    priority: int = Field(ge=-100, le=100, description="Higher runs first within its submitter's line")


class QueuedRun(BaseModel):
    run_id: str
    status: Literal["queued"] = "queued"
    priority: int
    position: int = Field(description="0-based place in the whole queue's dispatch order")


def _dispatch_order(lines: list[list[RunSummary]]) -> list[RunSummary]:
    """Round-robin over the principals' lines, in the order their turns come."""
    order: list[RunSummary] = []
    depth = max((len(line) for line in lines), default=0)
    for index in range(depth):
        order.extend(line[index] for line in lines if index < len(line))
    return order


def _queue(services: AppServices, principal: Principal) -> QueueView:
    everyone = allowed(principal, Action.RUN_READ, run_resource_of_anyone())
    store = services.runs.store
    queued = _dispatch_order(store.queued_lines())
    running = store.summaries(status="running", principal=None if everyone else principal.name, limit=500).items
    return QueueView(paused=services.runs.paused, running=running,
                     queued=[run for run in queued if everyone or run.principal == principal.name])


def _position(services: AppServices, run_id: str, priority: int) -> QueuedRun:
    order = [run.run_id for run in _dispatch_order(services.runs.store.queued_lines())]
    return QueuedRun(run_id=run_id, priority=priority, position=order.index(run_id))


@router.get("/queue")
async def get_queue(
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> QueueView:
    """Running runs and queued runs in the order they will start (the caller's own, an admin's: all)."""
    authorize(principal, Action.RUN_LIST)
    return await off_loop(services.runs.store.shared, _queue, services, principal)


async def _set_paused(services: AppServices, principal: Principal, paused: bool) -> QueueState:
    authorize(principal, Action.QUEUE_CONTROL)
    if paused:
        await services.runs.pause()
    else:
        await services.runs.resume()
    return QueueState(paused=services.runs.paused)


@router.post("/queue/pause")
async def pause_queue(
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> QueueState:
    """Start no more runs until resumed (kept across restarts); running runs finish."""
    return await _set_paused(services, principal, True)


@router.post("/queue/resume")
async def resume_queue(
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> QueueState:
    return await _set_paused(services, principal, False)


async def _requeue(services: AppServices, principal: Principal, run_id: str,
                   change: Callable[[], Awaitable[StoredRun]]) -> QueuedRun:
    """A change to a queued run's place, by its owner (`run.control`); where it stands after."""
    await _owned(services, principal, run_id, Action.RUN_CONTROL)
    priority = (await change()).priority
    return await off_loop(services.runs.store.shared, _position, services, run_id, priority)


@router.post("/runs/{run_id}/move")
async def move_run(
    run_id: str, body: MoveBody,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> QueuedRun:
    """Move a queued run within its submitter's line (409 when it is no longer queued)."""
    return await _requeue(services, principal, run_id, lambda: services.runs.move(run_id, body.to))


@router.post("/runs/{run_id}/priority")
async def prioritize_run(
    run_id: str, body: PriorityBody,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> QueuedRun:
    """Set a queued run's priority within its submitter's line (409 when it is no longer queued)."""
    return await _requeue(services, principal, run_id, lambda: services.runs.prioritize(run_id, body.priority))


@router.post("/runs/{run_id}/retry", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def retry_run(
    run_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> RunAccepted:
    """A new run of a failed, interrupted or cancelled run (same graph and inputs; cached nodes
    are reused); its `retry_of` names this one. 409 for a run that is queued, running or completed."""
    old = await _owned(services, principal, run_id, Action.RUN_CONTROL)
    run = await run_submit.retry_run(services, principal, old)
    return accepted(services, run)
