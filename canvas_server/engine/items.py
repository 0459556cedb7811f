"""Running a fanned-out node: every item looked up in the cache under its own key, the rest
dispatched in parallel (runner items up to the runner's capacity), results collected in order.

The run record gets one `ItemRecord` per item; events carry `node_id` plus `item`/`items`
(`node_progress` with `item_status`), while `node_started` and the final `node_completed` /
`node_cached` / `node_failed` stay one per node, as clients expect.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from function_runners.base import TaskCallbacks
from function_runners.execute import error_from, execute_task
from function_runners.task import NodeResult, TaskError, TaskTimings
from nodes.sdk import AuteurError, EventType

from .fanout import collect, item_count, item_inputs, item_key
from .plan import PlannedNode
from .record import ErrorInfo, ItemRecord

if TYPE_CHECKING:
    from .executor import _RunExecution


async def run_items(run: _RunExecution, node: PlannedNode) -> NodeResult:
    """Run `node` once per item of its list-fed inputs; one NodeResult for the whole node."""
    started = time.time()
    label = run.ex.inline_label if node.spec.runs_on == "inline" else run.ex.runner.name
    try:
        inputs = run.linked_inputs(node)
        per_item = item_inputs(node, inputs, item_count(node, inputs))
    except AuteurError as exc:
        return NodeResult(runner=label, error=error_from(exc))
    keys = [item_key(node, item) for item in per_item]
    entry = run.record.nodes[node.node_id]
    entry.items = [ItemRecord(index=index, cache_key=key) for index, key in enumerate(keys)]
    run.mark_started(node, label)
    outputs = await asyncio.gather(*(_run_item(run, node, item, per_item[item.index]) for item in entry.items))
    run.ex.cache.flush()
    timings = TaskTimings(started_at=started, finished_at=time.time())
    failed = [item for item in entry.items if item.status == "failed"]
    if failed:
        return NodeResult(runner=label, timings=timings, error=_failure(failed, len(keys)))
    complete = [result for result in outputs if result is not None]
    return NodeResult(runner=label, timings=timings, outputs=collect(node.spec, complete))


def _failure(failed: list[ItemRecord], count: int) -> TaskError:
    first = failed[0]
    assert first.error is not None
    return TaskError(
        code=first.error.code,
        error_type=str((first.error.details or {}).get("error_type", "NodeExecutionError")),
        message=f"item {first.index} of {count}: {first.error.message}"
        + (f" (and {len(failed) - 1} more item(s) failed)" if len(failed) > 1 else ""),
        details={"failed_items": [item.index for item in failed], "items": count},
    )


async def _run_item(run: _RunExecution, node: PlannedNode, item: ItemRecord,
                    inputs: dict[str, Any]) -> dict[str, Any] | None:
    await asyncio.sleep(0)  # let sibling items and the server breathe between inline items
    count = len(run.record.nodes[node.node_id].items or [])
    cached = run.ex.cache.get(item.cache_key) if node.spec.cache else None
    if cached is not None:
        item.status, item.started_at = "cached", time.time()
        item.finished_at = item.started_at
        _announce(run, node, item, count)
        return cached
    if run.cancel.cancelled:
        item.status = "cancelled"
        return None
    result = await _execute(run, node, item, inputs, count)
    item.finished_at, item.runner = time.time(), result.runner
    if result.timings is not None:
        item.started_at = result.timings.started_at
    if result.error is not None:
        item.status = "cancelled" if result.error.code == "cancelled" and run.cancel.cancelled else "failed"
        item.error = ErrorInfo(code=result.error.code, message=result.error.message, node_id=node.node_id,
                               details={"item": item.index, "error_type": result.error.error_type})
        _announce(run, node, item, count)
        return None
    item.status = "completed"
    if node.spec.cache:
        run.ex.cache.put(item.cache_key, result.outputs or {})
    _announce(run, node, item, count)
    return result.outputs or {}


async def _execute(run: _RunExecution, node: PlannedNode, item: ItemRecord,
                   inputs: dict[str, Any], count: int) -> NodeResult:
    task = run.task_for(node, inputs, item.cache_key)
    callbacks = _callbacks(run, node, item.index, count)
    item.status, item.started_at = "running", time.time()
    if node.spec.runs_on == "inline":
        return execute_task(task, run.ex.registry, run.ex.inline_models, runner=run.ex.inline_label,
                            progress=callbacks.progress, is_cancelled=lambda: run.cancel.cancelled,
                            emit=callbacks.emit)
    async with run.ex.slots(node.tier):
        try:
            return await run.ex.runner.run(task, callbacks)
        except AuteurError as exc:  # the runner could not take the task
            return NodeResult(runner=run.ex.runner.name, error=error_from(exc))


def _callbacks(run: _RunExecution, node: PlannedNode, index: int, count: int) -> TaskCallbacks:
    def progress(fraction: float, step: str | None) -> None:
        run.emit(EventType.NODE_PROGRESS, node_id=node.node_id, item=index, items=count,
                 progress=fraction, step=step, item_status="running")

    def emit(event_type: str, data: dict[str, Any]) -> None:
        run.emit(event_type, node_id=node.node_id, item=index, **data)

    return TaskCallbacks(progress=progress, emit=emit)


def _announce(run: _RunExecution, node: PlannedNode, item: ItemRecord, count: int) -> None:
    """Per-item progress: `progress` is the share of items settled so far."""
    items = run.record.nodes[node.node_id].items or []
    settled = sum(1 for other in items if other.status in ("cached", "completed", "failed"))
    run.emit(EventType.NODE_PROGRESS, node_id=node.node_id, item=item.index, items=count,
             item_status=item.status, progress=settled / count if count else 1.0,
             step=f"item {item.index + 1}/{count} {item.status}")
