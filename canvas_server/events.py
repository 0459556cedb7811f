"""Typed WebSocket events (docs/architecture.md §6): one pydantic model per event type, a discriminated
union over `type`, and the JSON Schema served at `/api/events/schema`.

Every event is `{type, seq, ts, run_id?, project?, data}`. A node may emit an event type we do
not know (a third-party pack); it travels as `node_event` with the original type in `data.event`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter

from nodes.sdk import EventType


class _Data(BaseModel):
    """Event payloads keep unknown keys so engine additions are never dropped."""

    model_config = ConfigDict(extra="allow")


class RunData(_Data):
    status: str | None = None


class NodeData(_Data):
    node_id: str


class ProgressData(_Data):
    node_id: str
    progress: float = Field(ge=0.0, le=1.0)
    step: Any = None


class NodeCompletedData(_Data):
    node_id: str
    outputs: dict[str, Any] = Field(default_factory=dict)


class NodeError(_Data):
    """Why a node failed: the run record's error (`details` stay in the record)."""

    code: str
    message: str
    node_id: str | None = None
    input: str | None = None


class NodeFailedData(_Data):
    node_id: str
    error: NodeError


class TakeData(_Data):
    project: str | None = None
    shot: str | None = None
    take_number: int | None = None
    path: str | None = None


class AssetData(_Data):
    """The asset added (`GET /api/projects/{project}/assets` lists the same fields)."""

    path: str | None = None
    name: str | None = None
    category: str | None = None
    mime: str | None = None


class ProjectUpdateData(_Data):
    reason: str | None = Field(None, description="created, updated, committed, manifest_changed…")


class FileChangedData(_Data):
    path: str | None = Field(None, description="Relative to the project")
    change: str | None = Field(None, description="added, modified, deleted, saved, thumbnail, thumbnail_failed…")


class NodeEventData(_Data):
    event: str


class NodeAuditData(_Data):
    node_id: str
    type: str
    action: str
    facts: dict[str, Any] = Field(default_factory=dict)


class _Event(BaseModel):
    seq: int
    ts: float
    run_id: str | None = None
    project: str | None = None
    # The principal that owned `run_id` when the event was published: replay and delivery
    # decide by it, never by the run's owner now. Kept server-side (never sent to clients).
    _owner: str | None = PrivateAttr(default=None)

    @property
    def owner(self) -> str | None:
        return self._owner


class RunQueued(_Event):
    type: Literal[EventType.RUN_QUEUED]
    data: RunData


class RunStarted(_Event):
    type: Literal[EventType.RUN_STARTED]
    data: RunData


class RunCompleted(_Event):
    type: Literal[EventType.RUN_COMPLETED]
    data: RunData


class RunFailed(_Event):
    type: Literal[EventType.RUN_FAILED]
    data: RunData


class RunCancelled(_Event):
    type: Literal[EventType.RUN_CANCELLED]
    data: RunData


class RunInterrupted(_Event):
    type: Literal[EventType.RUN_INTERRUPTED]
    data: RunData


class RunAwaitingReviewData(RunData):
    waiting: dict[str, list[str]] = Field(default_factory=dict, description="Why each waiting node waits")


class RunAwaitingReview(_Event):
    type: Literal[EventType.RUN_AWAITING_REVIEW]
    data: RunAwaitingReviewData


class NodeStarted(_Event):
    type: Literal[EventType.NODE_STARTED]
    data: NodeData


class NodeCached(_Event):
    type: Literal[EventType.NODE_CACHED]
    data: NodeCompletedData


class NodeProgress(_Event):
    type: Literal[EventType.NODE_PROGRESS]
    data: ProgressData


class NodeCompleted(_Event):
    type: Literal[EventType.NODE_COMPLETED]
    data: NodeCompletedData


class NodeFailed(_Event):
    type: Literal[EventType.NODE_FAILED]
    data: NodeFailedData


class TakeCreated(_Event):
    type: Literal[EventType.TAKE_CREATED]
    data: TakeData


class AssetAdded(_Event):
    type: Literal[EventType.ASSET_ADDED]
    data: AssetData


class ProjectUpdate(_Event):
    type: Literal[EventType.PROJECT_UPDATE]
    data: ProjectUpdateData


class FileChanged(_Event):
    type: Literal[EventType.FILE_CHANGED]
    data: FileChangedData


class NodeEvent(_Event):
    type: Literal[EventType.NODE_EVENT]
    data: NodeEventData


class NodeAudit(_Event):
    type: Literal[EventType.NODE_AUDIT]
    data: NodeAuditData


class Heartbeat(_Event):
    type: Literal[EventType.HEARTBEAT]
    data: _Data


Event = Annotated[
    RunQueued | RunStarted | RunCompleted | RunFailed | RunCancelled | RunInterrupted | RunAwaitingReview
    | NodeStarted | NodeCached | NodeProgress | NodeCompleted | NodeFailed | TakeCreated
    | AssetAdded | ProjectUpdate | FileChanged | NodeAudit | NodeEvent | Heartbeat,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: frozenset[str] = frozenset(EventType)


def build_event(
    type: str,
    data: dict[str, Any],
    *,
    seq: int,
    ts: float,
    run_id: str | None = None,
    project: str | None = None,
    owner: str | None = None,
) -> Event:
    """Validate one event; an unknown type is wrapped as `node_event`. `owner`: the run's owning
    principal, recorded with the event (not part of what clients receive)."""
    if type not in EVENT_TYPES:
        data = {**data, "event": type}
        type = EventType.NODE_EVENT
    payload = {"type": type, "seq": seq, "ts": ts, "run_id": run_id, "project": project, "data": data}
    event = EVENT_ADAPTER.validate_python(payload)
    event._owner = owner
    return event


def event_schema() -> dict[str, Any]:
    """JSON Schema of every event the server sends on `/ws`."""
    return EVENT_ADAPTER.json_schema()


# ---- messages a client sends on /ws ----------------------------------------------------


class SubscribeMessage(BaseModel):
    type: Literal["subscribe", "unsubscribe"]
    runs: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)


class PingMessage(BaseModel):
    type: Literal["ping"]


class AuthMessage(BaseModel):
    """The first message of a client that connected without a token (either WebSocket)."""

    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=4096)


ClientMessage = Annotated[SubscribeMessage | PingMessage, Field(discriminator="type")]
CLIENT_MESSAGE_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
