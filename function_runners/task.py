"""The runner task shape (docs/architecture.md §5): what a Function Runner receives and returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class NodeTask(BaseModel):
    """One node execution, fully resolved: inputs are JSON, paths are workspace-relative."""

    run_id: str
    node_id: str
    type: str
    version: str
    inputs: dict[str, Any]
    tier: str
    tier_params: dict[str, Any] = Field(default_factory=dict)
    scratch_dir: str
    workspace_root: str
    project_root: str | None = None
    project: str | None = None
    allowed_dirs: list[str] = Field(default_factory=list)
    # The output folders of the run's ancestors of this node: with the project (or the
    # principal's scratch folder) and its own scratch_dir, all a task may read (docs/architecture.md §8).
    input_dirs: list[str] = Field(default_factory=list)
    cache_key: str | None = None
    load_plugins: list[str] | None = None
    graph_hash: str | None = None  # sha256 of the run's prompt (take provenance)
    principal: str | None = None  # who submitted the run (per-user integrations, audit)


class TaskError(BaseModel):
    """A node failure as the runner reports it: no traceback is lost."""

    code: str = "node_failed"
    error_type: str
    message: str
    traceback: str = ""
    details: Any = None


class TaskTimings(BaseModel):
    started_at: float
    finished_at: float


class NodeResult(BaseModel):
    """`{outputs, runner, timings}` on success, or `error` on failure."""

    outputs: dict[str, Any] | None = None
    runner: str
    timings: TaskTimings | None = None
    error: TaskError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
