"""The names of the events a run streams (docs/architecture.md §6), defined once for every layer: nodes
emit some of them (`take_created`), the engine and run queue emit the rest, the server
types them and the clients read them."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    RUN_QUEUED = "run_queued"
    RUN_STARTED = "run_started"
    RUN_COMPLETED = "run_completed"
    RUN_FAILED = "run_failed"
    RUN_CANCELLED = "run_cancelled"
    RUN_INTERRUPTED = "run_interrupted"
    RUN_AWAITING_REVIEW = "run_awaiting_review"  # it stopped executing until a person decides
    NODE_STARTED = "node_started"
    NODE_CACHED = "node_cached"
    NODE_PROGRESS = "node_progress"
    NODE_COMPLETED = "node_completed"
    NODE_FAILED = "node_failed"
    TAKE_CREATED = "take_created"
    ASSET_ADDED = "asset_added"
    PROJECT_UPDATE = "project_update"
    FILE_CHANGED = "file_changed"
    NODE_AUDIT = "node_audit"  # what a node did that the audit log keeps (who played what, where)
    NODE_EVENT = "node_event"  # any other event a node emits, wrapped
    HEARTBEAT = "heartbeat"


# A run's last event: nothing about it follows one of these.
RUN_ENDED: frozenset[EventType] = frozenset(
    {EventType.RUN_COMPLETED, EventType.RUN_FAILED, EventType.RUN_CANCELLED, EventType.RUN_INTERRUPTED}
)
# A run's execution has stopped: it ended, or it waits for a person (a decision queues it again).
RUN_STOPPED: frozenset[EventType] = RUN_ENDED | {EventType.RUN_AWAITING_REVIEW}
# A node has settled (its outputs or its error are known).
NODE_SETTLED: frozenset[EventType] = frozenset(
    {EventType.NODE_CACHED, EventType.NODE_COMPLETED, EventType.NODE_FAILED}
)
