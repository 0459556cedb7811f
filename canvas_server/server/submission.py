"""`POST /api/runs`'s body. Checking it is `graph.check`'s job (the one submission path)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from function_runners.tiers import TierName

from ..graph.check import finite_json
from ..request_body import RequestBody


class RunOptions(RequestBody):
    """How a run is queued, apart from its graph: `POST /api/runs`, and `POST /api/graphs/validate`
    asked to queue the graph when it has no problem."""

    tier: TierName | None = Field(None, description="Quality tier; else the project's, else standard")
    project: str | None = Field(None, description="Project name or id; node paths resolve inside it")
    client_id: str | None = Field(None, max_length=200, description="WebSocket client to subscribe to this run")
    priority: int = Field(0, ge=-100, le=100, description="Higher runs first within its submitter's line")


class RunSubmission(RunOptions):
    """`POST /api/runs` body."""

    graph: dict[str, Any] = Field(min_length=1, description="A litegraph workflow, an API prompt or a template")
    targets: list[str] | None = Field(None, description="Run only these nodes and their ancestors")
    params: dict[str, Any] = Field(default_factory=dict, description="Overrides: {'NODE_ID.INPUT': value} or template parameter labels")

    _finite = field_validator("graph", "params")(finite_json)
