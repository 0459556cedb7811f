"""`POST /api/graphs/validate` and `POST /api/graphs/convert`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from ...governance import Principal
from ...graph.check import finite_json, inspect_graph
from ...graph.load import graph_to_workflow, load_graph
from ..deps import get_principal, get_services
from ..services import AppServices

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
    checked = inspect_graph(body.graph, services.registry, principal.caller, targets=body.targets)
    errors = [error.model_dump(mode="json") for error in checked.errors]
    return {"valid": not errors, "kind": checked.kind, "errors": errors, "prompt": checked.prompt.dump()}


@router.post("/convert")
def convert_graph(body: ConvertRequest, services: AppServices = Depends(get_services)) -> dict[str, Any]:
    """Workflow → API prompt (server-side, using the catalog), or API prompt → workflow."""
    loaded = load_graph(body.graph, services.registry)
    errors = [error.model_dump(mode="json") for error in loaded.errors]
    if body.to == "api":
        return {"kind": loaded.kind, "graph": loaded.prompt.dump(), "errors": errors}
    return {"kind": loaded.kind, "graph": graph_to_workflow(loaded, services.registry).dump(), "errors": errors}
