"""`POST /api/graphs/validate` and `POST /api/graphs/convert`."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, field_validator

from function_runners.tiers import DEFAULT_TIER

from ...governance import Action, Principal, authorize
from ...graph.check import check_size, finite_json, inspect_graph, node_count
from ...graph.errors import GraphError, GraphValidationError
from ...graph.load import GraphKind, graph_to_workflow, load_graph, missing_types
from ...graph.prompt import ApiPrompt
from ...request_body import RequestBody
from .. import run_submit
from ..deps import get_principal, get_services
from ..openapi import SUBMIT_RESPONSES
from ..services import AppServices
from ..submission import RunOptions
from .estimate import price, project_budget
from .runs import RunAccepted, accepted

router = APIRouter(prefix="/api/graphs", tags=["graphs"])


class ValidateRequest(RequestBody):
    graph: dict[str, Any]
    targets: list[str] | None = None
    queue: RunOptions | None = Field(None, description="Queue the graph as `POST /api/runs` would when it has "
                                                       "no problem (the editor's Queue: one request, not two)")

    _finite = field_validator("graph")(finite_json)


class ConvertRequest(RequestBody):
    graph: dict[str, Any]
    to: Literal["api", "workflow"] = Field("api", description="Target shape")
    allow_missing: bool = Field(False, description="to=api: convert even with node types this server lacks "
                                                   "(else 422 naming them)")

    _finite = field_validator("graph")(finite_json)


class GraphReport(BaseModel):
    valid: bool = Field(description="False when there is any problem")
    kind: GraphKind = Field(description="The shape the graph was sent in")
    errors: list[GraphError]
    prompt: ApiPrompt = Field(description="The API prompt it converts to")
    run: RunAccepted | None = Field(None, description="The run queued, when `queue` was given and there is no problem")
    refused: str | None = Field(None, description="Why a graph without problems was not queued: its estimate is "
                                                  "over the project's budget (POST /api/runs/estimate's message)")


class ConvertedGraph(BaseModel):
    kind: GraphKind = Field(description="The shape the graph was sent in")
    graph: dict[str, Any] = Field(description="The API prompt or the litegraph workflow asked for")
    errors: list[GraphError] = Field(description="What could not be converted: one `unknown_node_type` per "
                                                 "node type this server lacks (details: type, nodes), and more")


# Absent, not null: an API prompt's nodes leave out what they do not set (`_meta`, `tier`).
# `async` as the runs routes are: queueing touches the run manager, which lives on the loop.
@router.post("/validate", response_model=GraphReport, response_model_exclude_none=True, responses=SUBMIT_RESPONSES)
async def validate_graph(
    body: ValidateRequest,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> Response:
    """Every problem at once; `valid` is false when there is any. Maturity problems are
    reported for the caller's level. With `queue`, a graph without problems is queued as
    `POST /api/runs` queues it (same checks and refusals) and `run` says which run it is,
    unless its estimate is over the project's budget (`refused` says why)."""
    if body.queue is not None:
        authorize(principal, Action.RUN_SUBMIT)  # before the graph's CPU is spent on a caller who may not
    checked = await asyncio.to_thread(inspect_graph, body.graph, services.registry, principal.caller,
                                      targets=body.targets, max_nodes=services.settings.max_graph_nodes)
    run, refused = None, None
    if body.queue is not None and not checked.errors:
        options = body.queue
        # Priced from the prompt just made: a run over the project's budget is not queued.
        spend, project, quality = project_budget(services, principal, options.project)
        estimate = price(services, checked.prompt, options.tier or quality or DEFAULT_TIER, spend, project)
        if estimate.over_budget:
            refused = estimate.message
        else:
            # The check just made is found again by submit_run (graph.check keeps the last few).
            stored = await run_submit.submit_run(services, principal, body.graph, tier=options.tier,
                                                 project=options.project, targets=body.targets,
                                                 client_id=options.client_id, priority=options.priority,
                                                 checked=checked)
            run = accepted(services, stored)
    report = GraphReport(valid=not checked.errors, kind=checked.kind, errors=checked.errors, prompt=checked.prompt,
                         run=run, refused=refused)
    # Built from checked values: FastAPI would validate the report's thousand-node prompt again
    # before sending it (tens of milliseconds for a big graph; bench_editor_queue).
    return Response(report.model_dump_json(exclude_none=True), media_type="application/json")


@router.post("/convert")
def convert_graph(body: ConvertRequest, services: AppServices = Depends(get_services)) -> ConvertedGraph:
    """Workflow → API prompt (server-side, using the catalog), or API prompt → workflow. Node
    types this server lacks are reported; to an API prompt they refuse the conversion (422,
    `validation_failed`, one `unknown_node_type` each) unless `allow_missing`."""
    check_size(node_count(body.graph), services.settings.max_graph_nodes)
    loaded = load_graph(body.graph, services.registry)
    missing = missing_types(loaded.prompt, services.registry)
    if missing and body.to == "api" and not body.allow_missing:
        named = ", ".join(str((error.details or {}).get("type")) for error in missing)
        raise GraphValidationError(missing, f"the graph uses node types this server lacks ({named}): their widget "
                                            "values cannot be named; allow_missing converts it anyway")
    converted = loaded.prompt if body.to == "api" else graph_to_workflow(loaded, services.registry)
    return ConvertedGraph(kind=loaded.kind, graph=converted.dump(), errors=[*loaded.errors, *missing])
