"""`WS /ws`: the event stream, and `GET /api/events/schema`.

A connection belongs to a `client_id`; subscriptions are kept per client id, so a client that
reconnects with `last_seq` gets exactly the events it missed from its subscriptions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodes.sdk import EventType

from ...events import CLIENT_MESSAGE_ADAPTER, Event, build_event, event_schema
from ..access import EventAccess, admit_client
from ..bus import EventBus
from ..deps import services_of
from ..services import AppServices

router = APIRouter(tags=["events"])


class Discriminator(BaseModel):
    propertyName: str
    mapping: dict[str, str] = Field(description="Event type -> `#/$defs/<model>`")


class EventSchema(BaseModel):
    """A JSON Schema document: `oneOf` the event models, told apart by `type`."""

    model_config = ConfigDict(populate_by_name=True)

    defs: dict[str, dict[str, Any]] = Field(alias="$defs", description="One JSON Schema per event and payload")
    oneOf: list[dict[str, str]] = Field(description="`{$ref}` to each event model")
    discriminator: Discriminator


@router.get("/api/events/schema")
def events_schema() -> EventSchema:
    """JSON Schema of every event sent on `/ws` (a discriminated union over `type`)."""
    return EventSchema.model_validate(event_schema())


@router.websocket("/ws")
async def event_stream(websocket: WebSocket, client_id: str | None = None, last_seq: int | None = None) -> None:
    services: AppServices = services_of(websocket)
    client_id = client_id or uuid.uuid4().hex
    admitted = await admit_client(websocket, services, client_id)
    if admitted is None:
        return
    principal, state = admitted
    bus = services.events
    access = EventAccess(services, principal)
    # Checked on connect too: a subscription kept from before may no longer be allowed.
    bus.unsubscribe(client_id, runs=[run for run in list(state.runs) if not await access.run(run)],
                    projects=[project for project in state.projects if not access.project(project)])
    queue = bus.connect(client_id)
    try:
        await _serve(websocket, bus, client_id, queue, last_seq, services.settings.heartbeat_s, access)
    except WebSocketDisconnect:
        pass
    finally:
        bus.disconnect(client_id, queue)


async def _serve(
    websocket: WebSocket, bus: EventBus, client_id: str, queue: asyncio.Queue[Event],
    last_seq: int | None, heartbeat: float, access: EventAccess,
) -> None:
    sent = Sent(bus.last_seq if last_seq is None else max(0, last_seq))
    await websocket.send_json(_heartbeat(bus, client_id))
    for event in await bus.replay(client_id, sent.floor):
        if access.event(event):
            await websocket.send_text(event.model_dump_json())
        sent.add(event.seq)
    receiver = asyncio.create_task(_receive(websocket, bus, client_id, access))
    try:
        while not receiver.done():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, receiver}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                if not done:
                    await websocket.send_json(_heartbeat(bus, client_id))
                continue
            # Then whatever else is waiting, without a wait per event (a big run's events come
            # by the thousand: each `asyncio.wait` cost more than the event's own sending).
            waiting: Event | None = getter.result()
            while waiting is not None:
                if sent.fresh(waiting.seq) and access.event(waiting):  # not replayed already
                    await websocket.send_text(waiting.model_dump_json())
                    sent.add(waiting.seq)
                waiting = queue.get_nowait() if not queue.empty() else None
    finally:
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)


class Sent:
    """The event numbers one connection has sent (or the client had seen: up to `floor`).
    Not simply the highest: another replica's event may arrive after a higher-numbered one
    of this server's, and it is still news to the client."""

    def __init__(self, floor: int, keep: int = 10_000) -> None:
        self.floor = floor
        self._recent: deque[int] = deque()
        self._seen: set[int] = set()
        self._keep = keep

    def fresh(self, seq: int) -> bool:
        return seq > self.floor and seq not in self._seen

    def add(self, seq: int) -> None:
        self._recent.append(seq)
        self._seen.add(seq)
        if len(self._recent) > self._keep:  # far behind by now: anything as old counts as sent
            forgotten = self._recent.popleft()
            self._seen.discard(forgotten)
            self.floor = max(self.floor, forgotten)


async def _receive(websocket: WebSocket, bus: EventBus, client_id: str, access: EventAccess) -> None:
    while True:
        raw = await websocket.receive_text()
        try:
            message = CLIENT_MESSAGE_ADAPTER.validate_json(raw)
        except ValidationError as exc:
            await websocket.send_json({"type": "error", "error": {
                "code": "message_invalid", "message": "expected subscribe, unsubscribe or ping",
                "details": [e["msg"] for e in exc.errors()][:5]}})
            continue
        if message.type == "subscribe":
            await _subscribe(websocket, bus, client_id, access, message.runs, message.projects)
        elif message.type == "unsubscribe":
            bus.unsubscribe(client_id, runs=message.runs, projects=message.projects)
        else:
            await websocket.send_json(_heartbeat(bus, client_id))


async def _subscribe(
    websocket: WebSocket, bus: EventBus, client_id: str, access: EventAccess,
    runs: list[str], projects: list[str],
) -> None:
    """Subscribe to what the caller may read; the rest is refused with one error message."""
    refused_runs = [run for run in runs if not await access.run(run)]
    refused_projects = [project for project in projects if not access.project(project)]
    bus.subscribe(client_id, runs=[run for run in runs if run not in refused_runs],
                  projects=[project for project in projects if project not in refused_projects])
    if refused_runs or refused_projects:
        await websocket.send_json({"type": "error", "error": {
            "code": "forbidden", "message": "not subscribed: these runs or projects are not yours to read",
            "details": {"runs": refused_runs, "projects": refused_projects}}})


def _heartbeat(bus: EventBus, client_id: str) -> dict[str, Any]:
    """Not numbered (it is never replayed): `seq` is the latest event's, for resuming."""
    event = build_event(EventType.HEARTBEAT, {"client_id": client_id}, seq=bus.last_seq, ts=time.time())
    return event.model_dump(mode="json")
