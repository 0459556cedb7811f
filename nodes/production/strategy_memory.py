"""What the video strategy learns: the camera variations (size, angle, movement) a person
approved in a project, counted in the project's `04_Project_Files/strategy_approvals.json`
(versioned with the project), so the next suggestions rank approved framings first."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from nodes.sdk import RunContext, atomic_write_text, layout
from nodes.sdk.preproduction import Shot


class Approvals(BaseModel):
    """Approval counts by framing key `size|angle|movement`."""

    version: int = 1
    counts: dict[str, int] = Field(default_factory=dict)


def framing(shot: Shot) -> str:
    return f"{shot.size}|{shot.angle}|{shot.movement}"


def _path(ctx: RunContext) -> Path | None:
    return ctx.project_root / layout.STRATEGY_APPROVALS if ctx.project_root is not None else None


def load_approvals(ctx: RunContext) -> Approvals:
    """The project's approvals (none outside a project, or when the file is unreadable)."""
    path = _path(ctx)
    if path is None or not path.is_file():
        return Approvals()
    try:
        return Approvals.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, OSError):
        ctx.logger.warning("ignoring an unreadable %s", layout.STRATEGY_APPROVALS)
        return Approvals()


def record_approval(ctx: RunContext, shot: Shot) -> Approvals:
    """Count one approval of this shot's framing in the run's project."""
    path = _path(ctx)
    if path is None:
        raise ValueError("approvals are remembered per project: run this node in a project")
    approvals = load_approvals(ctx)
    key = framing(shot)
    approvals = approvals.model_copy(update={"counts": {**approvals.counts, key: approvals.counts.get(key, 0) + 1}})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(approvals.model_dump(), indent=2, sort_keys=True) + "\n")
    return approvals
