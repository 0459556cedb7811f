"""Run one NodeTask in the current process: the body shared by every Function Runner."""

from __future__ import annotations

import enum
import functools
import hashlib
import re
import time
import traceback
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from nodes.sdk import (
    AuteurError,
    MediaRef,
    ModelCache,
    Node,
    NodeExecutionError,
    NodeRegistry,
    PathSandbox,
    RunContext,
    layout,
)

from .task import NodeResult, NodeTask, TaskError, TaskTimings

ProgressFn = Callable[[float, str | None], None]
EmitFn = Callable[[str, dict[str, Any]], None]


@functools.lru_cache(maxsize=256)
def principal_scratch(workspace: Path, principal: str | None) -> Path:
    """The folder a project-less run of `principal` works in: `Scratch/<name>-<hash>` (the
    hash keeps names that differ only in characters a folder name cannot hold apart; a run
    without a principal is the local user's, as in the CLI)."""
    name = principal or "local"
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40].strip("_") or "principal"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return workspace / layout.SCRATCH_DIR / f"{readable}-{digest}"


def run_roots(task: NodeTask) -> list[Path | str]:
    """Everything a task may read or write (docs/architecture.md §8, run roots): its project, or its
    principal's scratch folder when the run has none (relative paths resolve there, never in
    the workspace, whose `.auteur/` and other projects stay out of reach); its own output
    folder; its ancestors' output folders; and the folders the operator allowed."""
    base = run_base(task.workspace_root, task.project_root, task.principal)
    return [base, task.scratch_dir, *task.input_dirs, *task.allowed_dirs]


def run_base(workspace_root: str, project_root: str | None, principal: str | None) -> Path | str:
    """The first run root, where relative paths resolve: the project, or the principal's
    scratch folder for a project-less run."""
    return project_root or principal_scratch(_root(workspace_root), principal)


def sandbox_for(task: NodeTask) -> PathSandbox:
    """The one resolver of the task's paths and MediaRefs, over its run roots."""
    return PathSandbox(run_roots(task))


@functools.lru_cache(maxsize=64)
def _root(path: str) -> Path:
    """The Path of a workspace or project root: the same few for every task of a process."""
    return Path(path)


def check_refs(value: object, ctx: RunContext) -> None:
    """The runner checks again, before the node runs: every MediaRef among the inputs (at any
    depth: shots, ingredients, stems) lies inside the run's roots and is not hidden. Where a
    node reads one, `ctx.media_path` checks it once more, with its sha256."""
    if isinstance(value, MediaRef):
        ctx.sandbox.resolve_media(value, ctx.workspace_root, read=False)
    elif isinstance(value, BaseModel):
        for name in _fields_that_may_hold_refs(type(value)):
            check_refs(getattr(value, name), ctx)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_refs(item, ctx)
    elif isinstance(value, dict):
        for item in value.values():
            check_refs(item, ctx)


_SCALARS = (str, int, float, bool, bytes, type(None))


@functools.lru_cache(maxsize=1024)
def _fields_that_may_hold_refs(model: type[BaseModel]) -> tuple[str, ...]:
    """A model's fields whose declared type could hold a MediaRef: all but plain scalars,
    enums and literals (most core nodes' inputs), so checking those costs nothing."""
    return tuple(name for name, field in model.model_fields.items() if not _scalar(field.annotation))


def _scalar(annotation: object) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, (*_SCALARS, enum.Enum))
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin in (typing.Union, types.UnionType):
        return all(_scalar(arg) for arg in typing.get_args(annotation))
    return False  # Any, containers, models, annotated aliases: looked through at run time


def context_for(
    task: NodeTask,
    models: ModelCache,
    progress: ProgressFn | None,
    is_cancelled: Callable[[], bool] | None,
    emit: EmitFn | None,
    sandbox: PathSandbox | None = None,
) -> RunContext:
    """The node's RunContext; `sandbox` is `sandbox_for(task)` when the caller already has it
    (the executor builds it once per run rather than once per inline node)."""
    return RunContext(
        run_id=task.run_id,
        node_id=task.node_id,
        type_id=task.type,
        tier=task.tier,
        tier_params=task.tier_params,
        workspace_root=_root(task.workspace_root),
        sandbox=sandbox or sandbox_for(task),
        scratch_dir=task.scratch_dir,
        models=models,
        progress=progress,
        is_cancelled=is_cancelled,
        emit=emit,
        project=task.project,
        principal=task.principal,
        project_root=_root(task.project_root) if task.project_root else None,
        graph_hash=task.graph_hash,
    )


def error_from(exc: BaseException) -> TaskError:
    """A TaskError that keeps the node's own error type, message and traceback."""
    trace = "".join(traceback.format_exception(exc))
    if isinstance(exc, NodeExecutionError):
        return TaskError(
            code=exc.code, error_type=exc.error_type, message=exc.message,
            traceback=trace, details=exc.details,
        )
    if isinstance(exc, AuteurError):
        return TaskError(
            code=exc.code, error_type=type(exc).__name__, message=exc.message,
            traceback=trace, details=exc.details,
        )
    if isinstance(exc, ValidationError):
        return TaskError(
            code="value_invalid", error_type="ValidationError", message=str(exc), traceback=trace
        )
    if isinstance(exc, FileNotFoundError):
        return TaskError(
            code="file_not_found", error_type="FileNotFoundError", message=str(exc),
            traceback=trace,
        )
    return TaskError(error_type=type(exc).__name__, message=str(exc) or repr(exc), traceback=trace)


def execute_task(
    task: NodeTask,
    registry: NodeRegistry,
    models: ModelCache,
    *,
    runner: str,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    emit: EmitFn | None = None,
    sandbox: PathSandbox | None = None,
) -> NodeResult:
    """Validate inputs, run the node, and return its JSON outputs or a TaskError (every
    runner comes here; the executor's inline nodes go straight to `run_node`)."""
    started = time.time()
    cls = registry.get(task.type)
    outputs: dict[str, Any] | None = None
    error: TaskError | None
    if cls is None:
        error = TaskError(
            code="unknown_node_type", error_type="UnknownNodeType",
            message=f"node type {task.type!r} is not installed on runner {runner}",
        )
    else:
        outputs, error = run_node(cls, task.inputs, lambda: context_for(task, models, progress, is_cancelled,
                                                                       emit, sandbox))
    return NodeResult(outputs=outputs, error=error, runner=runner,
                      timings=TaskTimings(started_at=started, finished_at=time.time()))


def run_node(
    cls: type[Node], inputs: dict[str, Any], context: Callable[[], RunContext]
) -> tuple[dict[str, Any] | None, TaskError | None]:
    """The one body that runs a node: validate its inputs, check their MediaRefs, run it,
    and return its JSON outputs, or the TaskError it raised."""
    try:
        ctx = context()
        instance = cls.model_validate(inputs)
        check_refs(instance, ctx)
        return instance.run(ctx).model_dump(mode="json"), None
    # A node may raise anything (NodeCancelledError included); the runner must report it
    # with its type, never crash.
    except Exception as exc:
        return None, error_from(exc)
