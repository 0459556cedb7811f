"""Running a fanned-out node: every item is one job of the dispatcher (looked up in the cache
under its own key, the rest run in parallel, runner items up to the runner's capacity),
results collected in order.

The run record gets one `ItemRecord` per item; events carry `node_id` plus `item`/`items`
(`node_progress` with `item_status`), while `node_started` and the final `node_completed` /
`node_cached` / `node_failed` stay one per node, as clients expect.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Protocol

from function_runners.base import TaskCallbacks
from function_runners.execute import error_from
from function_runners.task import TaskError
from nodes.sdk import AuteurError, EventType

from ..scrub import scrub_text
from .dispatch import Dispatcher, Job, Outcome, RunScope
from .fanout import collect, item_count, item_inputs, item_key
from .plan import PlannedNode
from .record import ErrorInfo, ItemRecord, RunRecord


class NodeHost(Protocol):
    """What a node's items need from their run: its record and its events."""

    record: RunRecord

    def mark_started(self, node: PlannedNode, runner: str) -> None: ...

    def emit(self, event_type: str, **data: Any) -> None: ...

    def job_input_dirs(self, job: Job) -> list[str]: ...


async def run_items(dispatcher: Dispatcher, scope: RunScope, node: PlannedNode, inputs: dict[str, Any],
                    host: NodeHost) -> Outcome:
    """Run `node` once per item of its list-fed inputs; one Outcome for the whole node."""
    started = time.time()
    label = dispatcher.label_for(node)
    try:
        per_item = item_inputs(node, inputs, item_count(node, inputs))
    except AuteurError as exc:
        return Outcome("failed", runner=label, error=error_from(exc))
    entry = host.record.nodes[node.node_id]
    entry.items = [ItemRecord(index=index, cache_key=item_key(node, item)) for index, item in enumerate(per_item)]
    host.mark_started(node, label)
    if node.spec.cache:
        await dispatcher.preload(item.cache_key for item in entry.items if item.cache_key)
    items = _Items(host, node, per_item, entry.items)
    outputs = await asyncio.gather(*(items.run(dispatcher, scope, item) for item in entry.items))
    await dispatcher.flush()
    failed = [item for item in entry.items if item.status == "failed"]
    if failed:
        return Outcome("failed", runner=label, started_at=started, error=_failure(failed, len(per_item)))
    complete = [result for result in outputs if result is not None]
    all_cached = all(item.status == "cached" for item in entry.items)
    return Outcome("cached" if all_cached else "completed", collect(node.spec, complete), label, started)


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


class _Items:
    """The items of one fanned-out node: the JobHost of each item's job."""

    def __init__(self, host: NodeHost, node: PlannedNode, inputs: list[dict[str, Any]],
                 records: list[ItemRecord]) -> None:
        self.host, self.node, self.inputs, self.records = host, node, inputs, records

    async def run(self, dispatcher: Dispatcher, scope: RunScope, item: ItemRecord) -> dict[str, Any] | None:
        await asyncio.sleep(0)  # let sibling items and the server breathe between inline items
        if scope.cancel.cancelled:
            item.status = "cancelled"
            return None
        outcome = await dispatcher.run(scope, Job(self.node, item.cache_key, self, item.index))
        item.status, item.finished_at = outcome.status, time.time()
        item.runner = outcome.runner
        item.started_at = outcome.started_at or item.started_at or item.finished_at
        if outcome.error is not None:
            message = scrub_text(outcome.error.message, Path(dispatcher.workspace))
            item.error = ErrorInfo(code=outcome.error.code, message=message,
                                   node_id=self.node.node_id,
                                   details={"item": item.index, "error_type": outcome.error.error_type})
        _announce(self.host, self.node, item, len(self.records))
        return outcome.outputs if outcome.status in ("cached", "completed") else None

    def job_inputs(self, job: Job) -> dict[str, Any]:
        return self.inputs[job.item]

    def job_callbacks(self, job: Job) -> TaskCallbacks:
        host, node_id, index, count = self.host, self.node.node_id, job.item, len(self.records)

        def progress(fraction: float, step: str | None) -> None:
            host.emit(EventType.NODE_PROGRESS, node_id=node_id, item=index, items=count,
                      progress=fraction, step=step, item_status="running")

        def emit(event_type: str, data: dict[str, Any]) -> None:
            host.emit(event_type, node_id=node_id, item=index, **data)

        return TaskCallbacks(progress=progress, emit=emit)

    def job_input_dirs(self, job: Job) -> list[str]:
        return self.host.job_input_dirs(job)  # an item's ancestors are its node's

    def job_started(self, job: Job, runner: str) -> None:
        record = self.records[job.item]
        record.status, record.started_at = "running", time.time()


def _announce(host: NodeHost, node: PlannedNode, item: ItemRecord, count: int) -> None:
    """Per-item progress: `progress` is the share of items settled so far."""
    items = host.record.nodes[node.node_id].items or []
    settled = sum(1 for other in items if other.status in ("cached", "completed", "failed"))
    host.emit(EventType.NODE_PROGRESS, node_id=node.node_id, item=item.index, items=count,
              item_status=item.status, progress=settled / count if count else 1.0,
              step=f"item {item.index + 1}/{count} {item.status}")
