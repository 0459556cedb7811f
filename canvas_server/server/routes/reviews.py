"""Human review (docs/architecture.md §12): what a run waiting for a person waits on, a person's
decision about it, and the agent-jobs list — agent jobs are runs, listed from the run store.

Deciding is the run owner's (or an admin's) through `authorize` (`run.review`); someone else's
run is a 403, as for cancelling it.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nodes.sdk import ReviewAction, ReviewWait

from ...engine.record import RunStatus
from ...governance import Action, Principal, allowed, authorize
from ...request_body import RequestBody
from ...runs.storage import off_loop
from ...runs.store import ReviewDecisionRow, ReviewState, SummaryPage
from ..deps import get_principal, get_services
from ..services import AppServices
from .runs import _owned, run_resource_of_anyone

router = APIRouter(prefix="/api", tags=["review"])


class ReviewBody(RequestBody):
    action: ReviewAction = Field(description="approve, reject, edit (with content) or request_changes (with a note)")
    node_id: str | None = Field(None, max_length=200, description="The waiting node (needed only when several wait)")
    content: str | None = Field(None, max_length=200_000, description="The edited text (edit)")
    note: str | None = Field(None, max_length=20_000, description="Why (reject) or what to change (request_changes)")


class ReviewView(BaseModel):
    run_id: str
    status: RunStatus
    review_state: ReviewState | None
    waiting: dict[str, ReviewWait] = Field(description="Each waiting node: what waits and why")
    thread: list[ReviewDecisionRow] = Field(description="Every decision so far, oldest first")


async def _view(services: AppServices, run_id: str) -> ReviewView:
    run = await services.runs.read(run_id)
    waiting = run.record.reviews if run.record is not None and run.status == "awaiting_review" else {}
    store = services.runs.store
    return ReviewView(run_id=run_id, status=run.status, review_state=run.review_state, waiting=waiting,
                      thread=await off_loop(store.shared, store.decisions, run_id))


@router.get("/runs/{run_id}/review")
async def get_review(
    run_id: str, services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> ReviewView:
    """What the run waits on (content, confidence, reasons) and its review thread."""
    await _owned(services, principal, run_id, Action.RUN_READ)
    return await _view(services, run_id)


@router.post("/runs/{run_id}/review")
async def decide_review(
    run_id: str, body: ReviewBody,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> ReviewView:
    """Approve, reject, edit or ask for changes; the run is queued again (409 unless it waits)."""
    await _owned(services, principal, run_id, Action.RUN_REVIEW)
    await services.runs.decide(run_id, principal.name, body.action, node_id=body.node_id, content=body.content,
                               note=body.note)
    return await _view(services, run_id)


@router.get("/agents/jobs")
async def list_agent_jobs(
    agent: str | None = Query(None, max_length=200, description="An agent node type the run holds"),
    status: RunStatus | None = Query(None, description="The run's status"),
    review: ReviewState | Literal["none"] | None = Query(None, description="The review state (none: never reviewed)"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**53),
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> SummaryPage:
    """Runs holding an agent or Review node, newest first (the caller's own; an admin's: all).
    Retry one with `POST /api/runs/{id}/retry`, decide one with `POST /api/runs/{id}/review`."""
    authorize(principal, Action.RUN_LIST)
    mine = None if allowed(principal, Action.RUN_READ, run_resource_of_anyone()) else principal.name
    store = services.runs.store
    return await off_loop(store.shared, store.jobs, agent=agent, status=status, review=review,
                          principal=mine, limit=limit, offset=offset)
