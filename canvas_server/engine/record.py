"""The run record (docs/architecture.md §4): what `GET /api/runs/{id}` and `auteur run --json` return."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from function_runners.tiers import DEFAULT_TIER
from nodes.sdk import ReviewWait

# `awaiting_review`: a node waits for a person (docs/architecture.md §12); the run is not
# executing and not finished, and a decision queues it again.
RunStatus = Literal["queued", "running", "awaiting_review", "completed", "failed", "cancelled", "interrupted"]
NodeStatus = Literal["pending", "running", "cached", "completed", "failed", "skipped", "cancelled",
                     "awaiting_review"]


class ErrorInfo(BaseModel):
    """`{code, message, node_id?, input?, details?}`."""

    code: str
    message: str
    node_id: str | None = None
    input: str | None = None
    details: Any = None


class ItemRecord(BaseModel):
    """One item of a fanned-out node: its own key, status and timing."""

    index: int
    status: NodeStatus = "pending"
    cache_key: str
    started_at: float | None = None
    finished_at: float | None = None
    runner: str | None = None
    error: ErrorInfo | None = None


class NodeRecord(BaseModel):
    type: str
    status: NodeStatus = "pending"
    started_at: float | None = None
    finished_at: float | None = None
    runner: str | None = None
    tier: str | None = None
    cache_key: str | None = None
    outputs: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    # Set when the node fanned out over a list: one entry per item, in order.
    items: list[ItemRecord] | None = None

    # The executor's two writes per node, each in one step: the same as assigning the fields
    # one by one (no validation either way), without pydantic's per-field __setattr__, the
    # largest per-node cost of a big graph's record.
    def start(self, runner: str, started_at: float) -> None:
        self._write({"status": "running", "runner": runner, "started_at": started_at})

    def settle(self, status: NodeStatus, finished_at: float, outputs: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"status": status, "finished_at": finished_at, "outputs": outputs}
        if self.started_at is None:
            fields["started_at"] = finished_at
        self._write(fields)

    def _write(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)
        self.__pydantic_fields_set__.update(fields)


class RunRecord(BaseModel):
    run_id: str
    status: RunStatus = "queued"
    tier: str = DEFAULT_TIER
    project: str | None = None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    nodes: dict[str, NodeRecord] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    errors: list[ErrorInfo] = Field(default_factory=list)
    reviews: dict[str, ReviewWait] = Field(
        default_factory=dict, description="What waits for a person at each node awaiting review, and why")
    # Node tracebacks for this process only (`auteur run --debug`); never serialized.
    _tracebacks: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def tracebacks(self) -> dict[str, str]:
        return self._tracebacks

    def count(self, status: NodeStatus) -> int:
        return sum(1 for record in self.nodes.values() if record.status == status)
