"""`POST /api/nodes/{type}/run`: one node as a run, for agents that speak plain HTTP (issue 21).

The body is what the node's MCP tool takes: the node's inputs (a path for each media input),
plus `project`, `tier` and `save_take`. It answers 202 with the run id at once; `GET
/api/runs/{id}` reports status, progress and outputs (no second job system: the same
submission path, queue and audit as every run).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, status

from ...agents.toolbox import tool_name
from ...governance import Principal
from ...graph.check import finite_json
from ..deps import get_principal, get_services
from ..errors import NotFoundError
from ..openapi import SUBMIT_RESPONSES
from ..services import AppServices
from .runs import RunAccepted

router = APIRouter(prefix="/api/nodes", tags=["runs"])


@router.post("/{node_type}/run", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
async def run_node(
    node_type: str,
    body: dict[str, Any] = Body(default_factory=dict, description="The node's inputs, plus project, tier, save_take"),
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> RunAccepted:
    """Queue a one-node run; 403 states the maturity the node needs, 404 an unknown type."""
    if services.registry.spec(node_type) is None:  # never a run tool by another name
        raise NotFoundError(f"no node type {node_type!r}", details={"type": node_type})
    # Imported here: the agents package imports the server package, whose app imports this route.
    from ...agents import calls as agent_calls

    arguments = {**finite_json(body), "wait": False}
    summary = await agent_calls.call_tool(services, principal, tool_name(node_type), arguments)
    return RunAccepted(run_id=summary["run_id"], tier=summary["tier"], warning=services.runs.runner_problem or None)
