"""The studio view: every project the caller may read, at a glance — its kind, a status derived
from its shots and runs, shots by review state, takes made this week, runs in flight per tier,
runs awaiting review, and provider spend against the project's budget."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, field_validator

from function_runners.tiers import TierName
from nodes.sdk.providers import project_spend

from ...governance import Action, Principal
from ...graph.check import finite_json
from ...request_body import RequestBody
from ...runs.store import RunSummary
from ...workspace.manifest import ProjectKind, ProjectManifest
from ...workspace.store import ProjectStore
from .. import batches
from ..access import Allowed, authorize_project
from ..deps import get_principal
from ..openapi import SUBMIT_RESPONSES
from .batches import BatchAccepted
from .projects import Services, Store, readable

router = APIRouter(prefix="/api/studio", tags=["studio"])

StudioStatus = Literal["draft", "in_progress", "rendering", "completed"]
IN_FLIGHT = ("queued", "running")
RUN_PAGE = 1000  # runs of one status per project read for the overview; more is a backlog, not a glance
WEEK = timedelta(days=7)


class ShotCounts(BaseModel):
    total: int = 0
    approved: int = Field(0, description="A take is chosen (activeTake)")
    to_review: int = Field(0, description="Takes made, none chosen yet")
    no_takes: int = 0


class StudioSpend(BaseModel):
    budget_usd: float | None = Field(description="settings.budgetUsd (none: no limit)")
    spent_usd: float
    by_provider: dict[str, float] = Field(description="Empty: no provider spend yet")


class StudioProject(BaseModel):
    name: str
    id: str
    kind: ProjectKind
    status: StudioStatus
    description: str
    updated: datetime
    shots: ShotCounts
    takes_this_week: int
    runs_in_flight: dict[str, int] = Field(description="Queued or running runs per tier")
    awaiting_review: int = Field(description="Runs waiting for a person's review")
    spend: StudioSpend


class StudioOverview(BaseModel):
    projects: list[StudioProject]
    damaged: list[str] = Field(description="Projects whose project.json cannot be read (repair them)")


def _shots(manifest: ProjectManifest, since: datetime) -> tuple[ShotCounts, int]:
    counts, recent = ShotCounts(), 0
    for chapter in manifest.narrative.chapters:
        for scene in chapter.scenes:
            recent += sum(1 for take in scene.takes if take.created and take.created >= since)
            for shot in scene.shots:
                counts.total += 1
                recent += sum(1 for take in shot.takes if take.created and take.created >= since)
                if shot.active_take is not None:
                    counts.approved += 1
                elif shot.takes:
                    counts.to_review += 1
                else:
                    counts.no_takes += 1
    return counts, recent


def _status(shots: ShotCounts, in_flight: int) -> StudioStatus:
    if in_flight:
        return "rendering"
    if shots.total and shots.approved == shots.total:
        return "completed"
    return "in_progress" if shots.total and shots.no_takes < shots.total else "draft"


def _runs(services: Services, project: str, status: str) -> list[RunSummary]:
    return services.runs.store.summaries(status=status, project=project, limit=RUN_PAGE).items


def _project(services: Services, store: ProjectStore, manifest: ProjectManifest, since: datetime) -> StudioProject:
    shots, recent = _shots(manifest, since)
    tiers = Counter(run.tier for status in IN_FLIGHT for run in _runs(services, manifest.name, status))
    spend = project_spend(store.root(manifest.name))
    return StudioProject(
        name=manifest.name, id=manifest.id, kind=manifest.settings.kind, description=manifest.description,
        status=_status(shots, sum(tiers.values())), updated=manifest.updated, shots=shots,
        takes_this_week=recent, runs_in_flight=dict(sorted(tiers.items())),
        awaiting_review=len(_runs(services, manifest.name, "awaiting_review")),
        spend=StudioSpend(budget_usd=spend.budget_usd, spent_usd=spend.spent_usd, by_provider=spend.by_provider))


@router.get("")
def studio(store: Store, services: Services,
           principal: Annotated[Principal, Depends(Allowed(Action.PROJECT_LIST))],
           kind: ProjectKind | None = None, status: StudioStatus | None = None) -> StudioOverview:
    """Every project the caller may read (the same rule as the project list), newest change
    first; `kind` and `status` keep only the projects that match."""
    since = datetime.now(UTC) - WEEK
    projects, damaged = [], []
    for item in store.list():
        if not readable(principal, store, item.name):
            continue
        if item.error is not None:
            damaged.append(item.name)
            continue
        project = _project(services, store, store.get(item.name), since)
        if (kind is None or project.kind == kind) and (status is None or project.status == status):
            projects.append(project)
    projects.sort(key=lambda project: project.updated, reverse=True)
    return StudioOverview(projects=projects, damaged=damaged)


class ShotPick(RequestBody):
    project: str = Field(min_length=1, max_length=200)
    shot: str = Field(pattern=r"^Chapter_\d{2,3}/Scene_\d{2,3}/Shot_\d{2,3}$", description="Chapter_01/Scene_01/Shot_01")


class StudioBatch(RequestBody):
    """A template queued over shots of several projects: one run per shot, in its own project,
    all under one batch id (follow it with GET /api/batches/{batch_id})."""

    graph: dict[str, Any] = Field(min_length=1, description="A litegraph workflow, an API prompt or a template")
    shot_input: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$",
                            description="The NODE.INPUT or exposed parameter that takes each run's shot")
    shots: list[ShotPick] = Field(min_length=1, max_length=batches.MAX_ROWS)
    params: dict[str, Any] = Field(default_factory=dict, description="Overrides every run shares")
    tier: TierName | None = None
    priority: int = Field(0, ge=-100, le=100)

    _finite = field_validator("graph", "params")(finite_json)


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def studio_batch(body: StudioBatch, services: Services,
                       principal: Principal = Depends(get_principal)) -> BatchAccepted:
    """Every project is authorized for a run before any run is queued: one refused project
    (403) or a missing one (404) queues nothing."""
    for name in dict.fromkeys(pick.project for pick in body.shots):
        authorize_project(services, principal, name, Action.PROJECT_RUN)
    batch_id, run_ids = await batches.submit_batch(
        services, principal, body.graph, [{body.shot_input: pick.shot} for pick in body.shots],
        params=body.params, tier=body.tier, project=None, client_id=None, priority=body.priority,
        row_projects=[pick.project for pick in body.shots])
    return BatchAccepted(batch_id=batch_id, runs=run_ids)
