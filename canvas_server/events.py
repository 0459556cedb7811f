"""Typed WebSocket events (DESIGN §6): one pydantic model per event type, a discriminated
union over `type`, and the JSON Schema served at `/api/events/schema`.

Every event is `{type, seq, ts, run_id?, project?, data}`. A node may emit an event type we do
not know (a third-party pack); it travels as `node_event` with the original type in `data.event`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


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


class NodeFailedData(_Data):
    node_id: str
    error: dict[str, Any] = Field(default_factory=dict)


class TakeData(_Data):
    project: str | None = None
    shot: str | None = None
    take_number: int | None = None
    path: str | None = None


class NodeEventData(_Data):
    event: str


class _Event(BaseModel):
    seq: int
    ts: float
    run_id: str | None = None
    project: str | None = None


class RunQueued(_Event):
    type: Literal["run_queued"]
    data: RunData


class RunStarted(_Event):
    type: Literal["run_started"]
    data: RunData


class RunCompleted(_Event):
    type: Literal["run_completed"]
    data: RunData


class RunFailed(_Event):
    type: Literal["run_failed"]
    data: RunData


class RunCancelled(_Event):
    type: Literal["run_cancelled"]
    data: RunData


class RunInterrupted(_Event):
    type: Literal["run_interrupted"]
    data: RunData


class NodeStarted(_Event):
    type: Literal["node_started"]
    data: NodeData


class NodeCached(_Event):
    type: Literal["node_cached"]
    data: NodeData


class NodeProgress(_Event):
    type: Literal["node_progress"]
    data: ProgressData


class NodeCompleted(_Event):
    type: Literal["node_completed"]
    data: NodeCompletedData


class NodeFailed(_Event):
    type: Literal["node_failed"]
    data: NodeFailedData


class TakeCreated(_Event):
    type: Literal["take_created"]
    data: TakeData


class AssetAdded(_Event):
    type: Literal["asset_added"]
    data: _Data


class ProjectUpdate(_Event):
    type: Literal["project_update"]
    data: _Data


class FileChanged(_Event):
    type: Literal["file_changed"]
    data: _Data


class NodeEvent(_Event):
    type: Literal["node_event"]
    data: NodeEventData


class Heartbeat(_Event):
    type: Literal["heartbeat"]
    data: _Data


Event = Annotated[
    RunQueued | RunStarted | RunCompleted | RunFailed | RunCancelled | RunInterrupted
    | NodeStarted | NodeCached | NodeProgress | NodeCompleted | NodeFailed | TakeCreated
    | AssetAdded | ProjectUpdate | FileChanged | NodeEvent | Heartbeat,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: frozenset[str] = frozenset(
    model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for model in _Event.__subclasses__()
)


def build_event(
    type: str,
    data: dict[str, Any],
    *,
    seq: int,
    ts: float,
    run_id: str | None = None,
    project: str | None = None,
) -> Event:
    """Validate one event; an unknown type is wrapped as `node_event`."""
    if type not in EVENT_TYPES:
        data = {**data, "event": type}
        type = "node_event"
    payload = {"type": type, "seq": seq, "ts": ts, "run_id": run_id, "project": project, "data": data}
    return EVENT_ADAPTER.validate_python(payload)


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


ClientMessage = Annotated[SubscribeMessage | PingMessage, Field(discriminator="type")]
CLIENT_MESSAGE_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
