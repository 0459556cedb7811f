"""`POST /api/runs/estimate`: what a graph's provider nodes will cost, and what is left of the
project's budget, before it is queued (the editor shows it beside Queue and refuses a run over
budget with the same words the node would fail with)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from function_runners.tiers import DEFAULT_TIER, TierName
from nodes.sdk.providers import Spend, budget_message, over_budget, project_spend

from ...governance import Action, Principal
from ...graph.check import check_size, finite_json, node_count
from ...graph.cost import NodeCost, graph_costs
from ...graph.load import load_graph
from ...graph.prompt import ApiPrompt
from ...request_body import RequestBody
from ...workspace.store import ProjectStore
from ..access import authorize_project
from ..deps import get_principal, get_services
from ..services import AppServices

router = APIRouter(prefix="/api/runs", tags=["runs"])


class EstimateRequest(RequestBody):
    graph: dict[str, Any] = Field(min_length=1, description="A litegraph workflow, an API prompt or a template")
    project: str | None = Field(None, description="The project it would run in (its budget); none: no budget")
    tier: TierName | None = Field(None, description="Quality tier; else the project's, else standard")

    _finite = field_validator("graph")(finite_json)


class CostEstimate(BaseModel):
    nodes: list[NodeCost] = Field(description="Each priced node's estimate")
    total_usd: float = Field(description="The sum of the nodes' estimates (one item of a node run per item)")
    tier: TierName
    project: str | None
    budget_usd: float | None = Field(description="The project's settings.budgetUsd (none: no limit)")
    spent_usd: float = Field(description="What the project's provider takes cost so far")
    left_usd: float | None = Field(description="What is left of the budget (none: no limit)")
    over_budget: bool = Field(description="The estimate does not fit what is left: the run would be refused")
    approximate: bool = Field(description="A count or a list's length is known only when the graph runs")
    message: str = Field(description="Why it would be refused when over budget, else empty")


def project_budget(services: AppServices, principal: Principal,
                   project: str | None) -> tuple[Spend, str | None, TierName | None]:
    """What is left to spend in `project` (none: no budget), its name and its quality tier; the
    caller must be able to read it."""
    if project is None:
        return Spend(None, {}), None, None
    authorize_project(services, principal, project, Action.PROJECT_READ)
    store = ProjectStore(services.settings.workspace)
    manifest = store.get(project)
    return project_spend(store.root(manifest.name)), manifest.name, manifest.quality


def price(services: AppServices, prompt: ApiPrompt, tier: TierName, spend: Spend, project: str | None) -> CostEstimate:
    """Every priced node of `prompt` at `tier`, against what is left of the budget."""
    costs = graph_costs(prompt, services.registry, tier)
    total = round(sum(cost.usd for cost in costs), 4)
    refused = over_budget(total, spend)
    return CostEstimate(
        nodes=costs, total_usd=total, tier=tier, project=project, budget_usd=spend.budget_usd,
        spent_usd=spend.spent_usd, left_usd=spend.left_usd(), over_budget=refused,
        approximate=any(cost.approximate or cost.per_item for cost in costs),
        message=budget_message("This run", total, spend) if refused else "")


@router.post("/estimate")
def estimate_run(body: EstimateRequest, services: AppServices = Depends(get_services),
                 principal: Principal = Depends(get_principal)) -> CostEstimate:
    """Price every node whose type declares a price model; nothing is queued or spent."""
    check_size(node_count(body.graph), services.settings.max_graph_nodes)
    spend, project, quality = project_budget(services, principal, body.project)
    tier = body.tier or quality or DEFAULT_TIER
    return price(services, load_graph(body.graph, services.registry).prompt, tier, spend, project)
