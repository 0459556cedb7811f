"""`POST /api/graphs/validate` and `POST /api/graphs/convert`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from ...governance import Principal
from ...graph.check import check_size, finite_json, inspect_graph, node_count
from ...graph.errors import GraphError, GraphValidationError
from ...graph.load import GraphKind, graph_to_workflow, load_graph, missing_types
from ...graph.prompt import ApiPrompt
from ...request_body import RequestBody
from ..deps import get_principal, get_services
from ..services import AppServices

router = APIRouter(prefix="/api/graphs", tags=["graphs"])


class ValidateRequest(RequestBody):
    graph: dict[str, Any]
    targets: list[str] | None = None

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


class ConvertedGraph(BaseModel):
    kind: GraphKind = Field(description="The shape the graph was sent in")
    graph: dict[str, Any] = Field(description="The API prompt or the litegraph workflow asked for")
    errors: list[GraphError] = Field(description="What could not be converted: one `unknown_node_type` per "
                                                 "node type this server lacks (details: type, nodes), and more")


# Absent, not null: an API prompt's nodes leave out what they do not set (`_meta`, `tier`).
@router.post("/validate", response_model_exclude_none=True)
def validate_graph(
    body: ValidateRequest,
    services: AppServices = Depends(get_services),
    principal: Principal = Depends(get_principal),
) -> GraphReport:
    """Every problem at once; `valid` is false when there is any. Maturity problems are
    reported for the caller's level."""
    checked = inspect_graph(body.graph, services.registry, principal.caller, targets=body.targets,
                            max_nodes=services.settings.max_graph_nodes)
    return GraphReport(valid=not checked.errors, kind=checked.kind, errors=checked.errors, prompt=checked.prompt)


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
