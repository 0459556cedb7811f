"""The event bus: numbers every event, keeps a replay buffer, and routes events to the
WebSocket clients subscribed to their run or project (per-client isolation).

`publish` may be called from any thread (sync routes run in Starlette's thread pool). The event
is numbered at once, under a lock (by the event store when there is one: it is the one source of
numbers); recording and delivery (replay buffer, event log, client queues, listeners) happen on
the event loop thread, in sequence order: a publish off the loop hands over with
`call_soon_threadsafe`, once for all the events waiting (a run's burst of node events wakes the
loop once; each WebSocket then sends everything queued for it without waiting in between).
A store shared by replicas (PostgreSQL) is never asked on the loop: while a loop runs, every
event goes to the store's writer thread, numbered and stored there in the order published, and
comes back to the loop to be delivered in that order; replay and `knows_run` read it through
`off_loop`.

Replicas: with a relay (`relay.RedisRelay`), every event published here is also sent to the
other servers, and theirs arrive through `receive`: delivered to this server's clients and kept
for replay, never stored again (their publisher stored them) nor numbered again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from nodes.sdk import AuteurError, EventType

from ..events import Event, build_event
from ..runs.storage import off_loop
from .event_store import EventStore

# Events with neither run nor project (e.g. a global notice) reach every client.
_BROADCAST = None
# A client id's state (owner, subscriptions) outlives its connections so that a reconnect with
# `last_seq` replays what it missed; an idle one is forgotten after this long, and one principal
# holds at most CLIENTS_PER_OWNER of them (its oldest idle one makes room for a new one).
CLIENT_IDLE_S = 3600.0
CLIENTS_PER_OWNER = 256
_PRUNE_EVERY_S = 60.0


class Relay(Protocol):
    """Carries this server's events, and its clients' subscriptions, to the other replicas
    (and theirs to `EventBus.receive` and `EventBus.receive_subscription`)."""

    def send(self, event: Event) -> None: ...

    def share(self, change: SubscriptionChange) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SubscriptionChange:
    """A client's subscriptions as they change on one replica: every replica keeps them, so a
    client that reconnects to another one replays what it missed of what it followed.
    `op`: subscribe, unsubscribe or own (the client id bound to `owner`)."""

    client_id: str
    op: str
    runs: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    owner: str | None = None


class TooManyClientsError(AuteurError):
    code = "too_many_clients"


@dataclass
class ClientState:
    """What one client id is subscribed to; kept across reconnects so replay can filter."""

    client_id: str
    runs: set[str] = field(default_factory=set)
    projects: set[str] = field(default_factory=set)
    queues: list[asyncio.Queue[Event]] = field(default_factory=list)
    last_seen: float = field(default_factory=time.monotonic)
    owner: str | None = None

    def wants(self, event: Event) -> bool:
        if event.run_id is None and event.project is None:
            return True
        if event.run_id is not None and event.run_id in self.runs:
            return True
        return event.project is not None and event.project in self.projects


class EventBus:
    """In-process pub/sub with a bounded replay buffer (`replay_size` most recent events)."""

    def __init__(
        self,
        replay_size: int = 10_000,
        client_queue_size: int = 5_000,
        log: EventStore | None = None,
        client_idle_s: float = CLIENT_IDLE_S,
        clients_per_owner: int = CLIENTS_PER_OWNER,
    ) -> None:
        self._log = log
        self._relay: Relay | None = None
        self._client_idle_s = client_idle_s
        self._clients_per_owner = clients_per_owner
        self._pruned_at = time.monotonic()
        self._seq = log.last_seq() if log is not None else 0
        self._buffer: deque[Event] = deque(log.recent(replay_size) if log else (), maxlen=replay_size)
        self._clients: dict[str, ClientState] = {}
        self._queue_size = client_queue_size
        self._listeners: list[Callable[[str, str | None], None]] = []
        self._remote_listeners: list[Callable[[str, str | None], None]] = []
        self._delivered = self._seq  # the newest event recorded and delivered
        self._pending: deque[Event] = deque()  # numbered, not yet delivered (oldest first)
        self._numbering = threading.Lock()
        self._delivering = threading.RLock()  # a listener may publish (re-entrant delivery)
        # A delivery is already asked of the loop: a thread publishing a burst (a run's node
        # events) wakes the loop once, not once per event (a 1,000-node run: 2,000 wake-ups).
        self._woken = False
        self._loop: asyncio.AbstractEventLoop | None = None
        if log is not None and log.shared:
            log.on_numbered(self._numbered)

    @property
    def last_seq(self) -> int:
        """The newest delivered event's number (what a client has seen once it is up to date)."""
        return self._delivered

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop that owns the client queues; publishes from other threads are handed to it."""
        self._loop = loop

    def relay_to(self, relay: Relay) -> None:
        """From now on every event published here also goes to the other replicas."""
        self._relay = relay

    def publish(
        self,
        type: str,
        data: dict[str, Any],
        *,
        run_id: str | None = None,
        project: str | None = None,
        owner: str | None = None,
    ) -> Event:
        """Number one event now and deliver it in order: at once on the loop thread (or where
        no loop is attached and running), else on the loop soon after. Any thread may call it.
        `owner`: the principal owning `run_id`, recorded with the event (replay decides by it).
        With a shared store and a running loop the event is numbered on the store's writer
        thread (its `seq` is 0 until then) and delivered once numbered."""
        loop = self._loop
        if self._log is not None and self._log.shared and loop is not None and loop.is_running():
            event = self._build(type, data, run_id, project, owner, seq=0)
            self._log.store_later(event)
            return event
        with self._numbering:
            self._seq = self._log.next_seq() if self._log is not None else self._seq + 1
            event = self._build(type, data, run_id, project, owner, seq=self._seq)
            self._pending.append(event)
            wake, self._woken = not self._woken, True
        if loop is None or _on_thread_of(loop) or not loop.is_running():
            self._deliver_pending()
        elif wake:
            loop.call_soon_threadsafe(self._deliver_pending)
        return event

    def listen(self, listener: Callable[[str, str | None], None], *, remote: bool = False) -> None:
        """Call `listener(type, project)` for every event, on the event loop thread when one is
        attached (server services that react to events, e.g. the manifest sync on `take_created`).
        `remote`: also for the events of other replicas (the publishing replica's own listeners
        already acted on them: a listener that writes shared state must not hear them twice)."""
        self._listeners.append(listener)
        if remote:
            self._remote_listeners.append(listener)

    def receive(self, event: Event) -> None:
        """Deliver an event another replica published and numbered (on the event loop thread):
        to the clients that want it and the replay buffer; its publisher stored it."""
        self._buffer.append(event)
        self._delivered = max(self._delivered, event.seq)
        self._offer_to_clients(event)
        for listener in self._remote_listeners:
            listener(event.type, event.project)

    def _numbered(self, events: list[Event]) -> None:
        """The shared store numbered `events` (on its writer thread): the loop delivers them."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._deliver_numbered, events)
        except RuntimeError:  # the loop has closed (shutdown): stored, delivered to no one
            pass

    def _deliver_numbered(self, events: list[Event]) -> None:
        with self._delivering:
            for event in events:
                self._seq = max(self._seq, event.seq)
                self._deliver(event, store=False)

    def _deliver_pending(self) -> None:
        with self._delivering:
            while True:
                with self._numbering:
                    if not self._pending:
                        self._woken = False  # under the lock publish sets it under: no event is left behind
                        return
                    event = self._pending.popleft()
                self._deliver(event)

    def _deliver(self, event: Event, store: bool = True) -> None:
        self._buffer.append(event)
        if self._log is not None and store:
            self._log.append(event)
        self._delivered = max(self._delivered, event.seq)
        self._offer_to_clients(event)
        if self._relay is not None:
            self._relay.send(event)
        for listener in self._listeners:
            listener(event.type, event.project)

    def _offer_to_clients(self, event: Event) -> None:
        for client in self._clients.values():
            if client.wants(event):
                for queue in client.queues:
                    _offer(queue, event)

    @staticmethod
    def _build(type: str, data: dict[str, Any], run_id: str | None, project: str | None,
               owner: str | None, *, seq: int) -> Event:
        try:
            return build_event(type, data, seq=seq, ts=time.time(), run_id=run_id, project=project, owner=owner)
        except ValidationError:
            # A malformed engine/node payload is still delivered, untyped, rather than lost.
            return build_event(
                EventType.NODE_EVENT, {"event": type, "payload": data},
                seq=seq, ts=time.time(), run_id=run_id, project=project, owner=owner,
            )

    def client(self, client_id: str) -> ClientState:
        """The client's state, made on first use (idle ones are pruned now and then)."""
        state = self._clients.get(client_id)
        if state is None:
            self._prune()
            state = self._clients[client_id] = ClientState(client_id)
        state.last_seen = time.monotonic()
        return state

    def peek(self, client_id: str) -> ClientState | None:
        """The client's state if it has one; makes none (an admission check must not)."""
        return self._clients.get(client_id)

    def client_count(self) -> int:
        return len(self._clients)

    def own(self, state: ClientState, owner: str) -> None:
        """Bind a client id to its principal (`authorize` decided it may). A principal over its
        quota loses its oldest idle client id; with none idle, the new one is refused (429)."""
        if state.owner == owner:
            return
        owned = [other for other in self._clients.values() if other.owner == owner]
        if len(owned) >= self._clients_per_owner:
            idle = [other for other in owned if not other.queues]
            if not idle:
                raise TooManyClientsError(
                    f"{owner} already has {len(owned)} connected client ids; close one first",
                    details={"limit": self._clients_per_owner})
            del self._clients[min(idle, key=lambda other: other.last_seen).client_id]
        state.owner = owner
        self._share(SubscriptionChange(state.client_id, "own", owner=owner))

    def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < min(_PRUNE_EVERY_S, self._client_idle_s):
            return
        self._pruned_at = now
        stale = [client_id for client_id, state in self._clients.items()
                 if not state.queues and now - state.last_seen > self._client_idle_s]
        for client_id in stale:
            del self._clients[client_id]

    def subscribe(self, client_id: str, *, runs: Iterable[str] = (), projects: Iterable[str] = ()) -> None:
        state = self.client(client_id)
        runs, projects = tuple(runs), tuple(projects)
        state.runs.update(runs)
        state.projects.update(projects)
        self._share(SubscriptionChange(client_id, "subscribe", runs, projects, state.owner))

    def unsubscribe(self, client_id: str, *, runs: Iterable[str] = (), projects: Iterable[str] = ()) -> None:
        state = self.client(client_id)
        runs, projects = tuple(runs), tuple(projects)
        state.runs.difference_update(runs)
        state.projects.difference_update(projects)
        self._share(SubscriptionChange(client_id, "unsubscribe", runs, projects, state.owner))

    def _share(self, change: SubscriptionChange) -> None:
        if self._relay is not None and (change.runs or change.projects or change.op == "own"):
            self._relay.share(change)

    def receive_subscription(self, change: SubscriptionChange) -> None:
        """Apply another replica's subscription change (decided there by the same rules, on
        the same shared stores). A client id already bound here keeps its principal: the
        admission on this replica refuses any other."""
        state = self.client(change.client_id)
        if state.owner is not None and change.owner is not None and state.owner != change.owner:
            return
        if state.owner is None and change.owner is not None:
            state.owner = change.owner
        if change.op == "subscribe":
            state.runs.update(change.runs)
            state.projects.update(change.projects)
        elif change.op == "unsubscribe":
            state.runs.difference_update(change.runs)
            state.projects.difference_update(change.projects)

    def connect(self, client_id: str) -> asyncio.Queue[Event]:
        self._loop = self._loop or asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=self._queue_size)
        state = self.client(client_id)
        state.queues.append(queue)
        state.last_seen = time.monotonic()
        return queue

    def disconnect(self, client_id: str, queue: asyncio.Queue[Event]) -> None:
        state = self._clients.get(client_id)
        if state is not None and queue in state.queues:
            state.queues.remove(queue)
            state.last_seen = time.monotonic()

    async def knows_run(self, run_id: str) -> bool:
        """Whether an event of this run was ever published (and is still kept)."""
        if any(event.run_id == run_id for event in self._pending):
            return True
        if self._log is not None:
            return await off_loop(self._log.shared, self._log.has_run, run_id)
        return any(event.run_id == run_id for event in self._buffer)

    async def replay(self, client_id: str, after_seq: int) -> list[Event]:
        """Events after `after_seq` this client is subscribed to, oldest first (the in-memory
        window answers at once; the log is read only for what it does not hold)."""
        state = self.client(client_id)
        oldest = self._buffer[0].seq if self._buffer else self._seq + 1
        candidates: Iterable[Event] = list(self._buffer)
        if self._relay is not None and self._log is not None:
            # Replicas number out of arrival order: the shared store and the buffer together
            # hold everything, each event once.
            merged = {event.seq: event for event in await off_loop(self._log.shared, self._log.after, after_seq)}
            merged.update((event.seq, event) for event in candidates if event.seq > after_seq)
            candidates = [merged[seq] for seq in sorted(merged)]
        elif after_seq + 1 < oldest and self._log is not None:
            # Older than the in-memory window (or from before a restart): read the log.
            candidates = await off_loop(self._log.shared, self._log.after, after_seq)
        return [event for event in candidates if event.seq > after_seq and state.wants(event)]

    def close(self) -> None:
        if self._relay is not None:
            self._relay.close()
        if self._log is not None:
            self._log.close()


def _on_thread_of(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    """A client that stops reading loses its oldest events, never blocks the server; it can
    catch up with `last_seq` on reconnect."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
