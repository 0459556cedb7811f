"""`WS /ws`: the event stream, and `GET /api/events/schema`.

A connection belongs to a `client_id`; subscriptions are kept per client id, so a client that
reconnects with `last_seq` gets exactly the events it missed from its subscriptions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from nodes.sdk import AuteurError, EventType

from ...events import CLIENT_MESSAGE_ADAPTER, Event, build_event, event_schema
from ..bus import EventBus
from ..deps import get_principal, get_services
from ..services import AppServices

router = APIRouter(tags=["events"])
POLICY_VIOLATION = 1008


@router.get("/api/events/schema")
def events_schema() -> dict[str, Any]:
    """JSON Schema of every event sent on `/ws` (a discriminated union over `type`)."""
    return event_schema()


@router.websocket("/ws")
async def event_stream(websocket: WebSocket, client_id: str | None = None, last_seq: int | None = None) -> None:
    services: AppServices = get_services(websocket)
    try:
        principal = get_principal(websocket)
    except AuteurError as exc:
        await websocket.close(code=POLICY_VIOLATION, reason=exc.message[:120])
        return
    client_id = client_id or uuid.uuid4().hex
    bus = services.events
    state = bus.client(client_id)
    state.owner = state.owner or principal.name
    if state.owner != principal.name:
        await websocket.close(code=POLICY_VIOLATION, reason="client_id belongs to another caller")
        return
    await websocket.accept()
    queue = bus.connect(client_id)
    try:
        await _serve(websocket, bus, client_id, queue, last_seq, services.settings.heartbeat_s)
    except WebSocketDisconnect:
        pass
    finally:
        bus.disconnect(client_id, queue)


async def _serve(
    websocket: WebSocket, bus: EventBus, client_id: str, queue: asyncio.Queue[Event],
    last_seq: int | None, heartbeat: float,
) -> None:
    sent = bus.last_seq if last_seq is None else last_seq
    await websocket.send_json(_heartbeat(bus, client_id))
    for event in bus.replay(client_id, sent):
        await websocket.send_text(event.model_dump_json())
        sent = event.seq
    receiver = asyncio.create_task(_receive(websocket, bus, client_id))
    try:
        while not receiver.done():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, receiver}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                if not done:
                    await websocket.send_json(_heartbeat(bus, client_id))
                continue
            event = getter.result()
            if event.seq > sent:  # already delivered by the replay
                await websocket.send_text(event.model_dump_json())
                sent = event.seq
    finally:
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)


async def _receive(websocket: WebSocket, bus: EventBus, client_id: str) -> None:
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
            bus.subscribe(client_id, runs=message.runs, projects=message.projects)
        elif message.type == "unsubscribe":
            bus.unsubscribe(client_id, runs=message.runs, projects=message.projects)
        else:
            await websocket.send_json(_heartbeat(bus, client_id))


def _heartbeat(bus: EventBus, client_id: str) -> dict[str, Any]:
    """Not numbered (it is never replayed): `seq` is the latest event's, for resuming."""
    event = build_event(EventType.HEARTBEAT, {"client_id": client_id}, seq=bus.last_seq, ts=time.time())
    return event.model_dump(mode="json")
