"""`POST /api/graphs/validate` and `POST /api/graphs/convert`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from ...governance import Principal
from ...governance.maturity import maturity_refusals
from ..deps import get_principal, get_services
from ..services import AppServices
from ..submission import finite_json

router = APIRouter(prefix="/api/graphs", tags=["graphs"])


class ValidateRequest(BaseModel):
    graph: dict[str, Any]
    targets: list[str] | None = None

    _finite = field_validator("graph")(finite_json)


class ConvertRequest(BaseModel):
    graph: dict[str, Any]
    to: Literal["api", "workflow"] = Field("api", description="Target shape")

    _finite = field_validator("graph")(finite_json)


@router.post("/validate")
def validate_graph(
    body: ValidateRequest,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> dict[str, Any]:
    """Every problem at once; `valid` is false when there is any. Maturity problems are
    reported for the caller's level."""
    from ...graph.load import load_graph
    from ...graph.validate import validate_prompt

    loaded = load_graph(body.graph, services.registry)
    errors = [error.model_dump(mode="json") for error in [*loaded.errors, *validate_prompt(loaded.prompt, services.registry, targets=body.targets)]]
    for refusal in maturity_refusals(loaded.prompt, services.registry, principal):
        errors.append({
            "code": "maturity_insufficient", "node_id": refusal["node_id"], "input": None,
            "message": f"{refusal['type']} requires {refusal['requires']} maturity; caller is {principal.maturity}",
            "details": refusal,
        })
    return {"valid": not errors, "kind": loaded.kind, "errors": errors, "prompt": loaded.prompt.dump()}


@router.post("/convert")
def convert_graph(body: ConvertRequest, services: AppServices = Depends(get_services)) -> dict[str, Any]:
    """Workflow → API prompt (server-side, using the catalog), or API prompt → workflow."""
    from ...graph.load import graph_to_workflow, load_graph

    loaded = load_graph(body.graph, services.registry)
    errors = [error.model_dump(mode="json") for error in loaded.errors]
    if body.to == "api":
        return {"kind": loaded.kind, "graph": loaded.prompt.dump(), "errors": errors}
    return {"kind": loaded.kind, "graph": graph_to_workflow(loaded, services.registry).dump(), "errors": errors}
