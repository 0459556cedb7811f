"""`WS /ws?clientId=ID`: ComfyUI's message stream, fed by the event bus.

The client's runs reach it through its bus subscription (`comfy:<clientId>`), so it never
sees another client's prompts. The clientId is bound to the principal that first used it (on
`/prompt` or here: `client.use`, a stolen one is refused with 1008), and every event is checked
again with `run.read` against the owner recorded with it before it is sent, so another
principal's prompt never reaches it. Queue
changes (any run queued, started or ended) reach every connection as a `status` message
through a bus listener.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from nodes.sdk import RUN_ENDED, EventType

from ..events import Event
from ..runs.storage import off_loop
from ..server.access import EventAccess, admit_client
from ..server.deps import services_of
from ..server.services import AppServices
from .history import bus_client
from .messages import Translator, message

router = APIRouter()
_QUEUE_EVENTS = frozenset({EventType.RUN_QUEUED, EventType.RUN_STARTED, *RUN_ENDED})


class StatusHub:
    """Wakes every ComfyUI connection when the queue changes (a bus listener)."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Queue[None]] = set()

    def on_event(self, type_: str, project: str | None) -> None:
        if type_ in _QUEUE_EVENTS:
            for waiter in self._waiters:
                if waiter.empty():
                    waiter.put_nowait(None)

    def attach(self) -> asyncio.Queue[None]:
        waiter: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._waiters.add(waiter)
        return waiter

    def detach(self, waiter: asyncio.Queue[None]) -> None:
        self._waiters.discard(waiter)


async def queue_remaining(services: AppServices) -> int:
    counts = await off_loop(services.runs.store.shared, services.runs.counts)
    return counts.get("queued", 0) + counts.get("running", 0)


async def status_message(services: AppServices, client_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"status": {"exec_info": {"queue_remaining": await queue_remaining(services)}}}
    if client_id is not None:
        data["sid"] = client_id
    return message("status", **data)


@router.websocket("/ws")
@router.websocket("/api/ws")
async def comfy_stream(websocket: WebSocket, clientId: str | None = None) -> None:
    services: AppServices = services_of(websocket)
    client_id = clientId or uuid.uuid4().hex
    admitted = await admit_client(websocket, services, client_id, bus_key=bus_client(client_id))
    if admitted is None:
        return
    principal, state = admitted
    hub: StatusHub = websocket.app.state.comfy_hub
    events, waiter = services.events.connect(state.client_id), hub.attach()
    try:
        await websocket.send_json(await status_message(services, client_id))
        # Each event carries its run's owner, so one EventAccess serves the connection.
        await _serve(websocket, services, events, waiter, EventAccess(services, principal))
    except WebSocketDisconnect:
        pass
    finally:
        hub.detach(waiter)
        services.events.disconnect(state.client_id, events)


async def _serve(websocket: WebSocket, services: AppServices, events: asyncio.Queue[Event],
                 waiter: asyncio.Queue[None], access: EventAccess) -> None:
    translator = Translator(services.runs, services.registry, services.settings.workspace)
    receiver = asyncio.create_task(_drain_client(websocket))
    try:
        while not receiver.done():
            getters = {asyncio.ensure_future(events.get()), asyncio.ensure_future(waiter.get())}
            done, pending = await asyncio.wait({*getters, receiver}, return_when=asyncio.FIRST_COMPLETED)
            for future in pending - {receiver}:
                future.cancel()
            ready = [future.result() for future in done - {receiver}]
            # and every event already waiting, without a wait each (a big run's come by the thousand)
            ready.extend(events.get_nowait() for _ in range(events.qsize()))
            for item in ready:
                if item is None:
                    await websocket.send_json(await status_message(services))
                    continue
                if not access.run_event(item):
                    continue
                for outgoing in await translator.translate(item):
                    await websocket.send_json(outgoing)
    finally:
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)


async def _drain_client(websocket: WebSocket) -> None:
    """ComfyUI clients may send `feature_flags`; nothing they send changes the stream."""
    while True:
        await websocket.receive_text()
