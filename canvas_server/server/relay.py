"""Events across replicas: each server publishes the events it numbers on one Redis pub/sub
channel and delivers the other servers' events to its own WebSocket clients. Its clients'
subscription changes travel the same way, so a client that reconnects to another replica
replays what it followed.

Redis carries events only; it keeps none. The event store (shared by the replicas) is what a
reconnecting client replays from, so a message lost while Redis is away costs a live update,
never an event: the client gets it on replay. Publishing happens on a thread of its own, so a
slow or absent Redis never holds up the event loop.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from pydantic import ValidationError

from nodes.sdk import AuteurError

from ..events import EVENT_ADAPTER, Event
from .bus import SubscriptionChange

log = logging.getLogger("auteur.relay")
CHANNEL = "auteur:events"
_POLL_S = 0.5  # how often the listener looks up from Redis to see whether it should stop
_RETRY_S = 1.0
_CONFIRM_S = 10.0
_STOP = object()


class RelayUnavailableError(AuteurError):
    code = "events_relay_unavailable"


class RedisRelay:
    """One replica's side of the channel: `send` this server's events, `deliver` the others'.
    `deliver` is called on the listener thread; the server hands the event to its loop."""

    def __init__(self, url: str, deliver: Callable[[Event], None], *, channel: str = CHANNEL,
                 subscribed: Callable[[SubscriptionChange], None] | None = None) -> None:
        self.replica = uuid.uuid4().hex
        self._channel = channel
        self._deliver = deliver
        self._subscribed = subscribed
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2.0, health_check_interval=30)
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Subscribe (done once this returns: no event published after it is missed), then
        serve the channel on two threads. RelayUnavailableError when Redis cannot be reached."""
        try:
            pubsub = self._subscribe()
        except redis.RedisError as exc:
            self._redis.close()
            raise RelayUnavailableError(
                f"the event relay cannot reach Redis at AUTEUR_EVENTS_URL ({type(exc).__name__}: "
                f"{str(exc).split(' connecting to ')[0]}); start Redis or unset AUTEUR_EVENTS_URL") from None
        self._threads = [threading.Thread(target=self._listen, args=(pubsub,), name="relay-listen", daemon=True),
                         threading.Thread(target=self._publish, name="relay-publish", daemon=True)]
        for thread in self._threads:
            thread.start()

    def send(self, event: Event) -> None:
        self._outbox.put(json.dumps({"origin": self.replica, "owner": event.owner,
                                     "event": event.model_dump(mode="json")}))

    def share(self, change: SubscriptionChange) -> None:
        self._outbox.put(json.dumps({"origin": self.replica, "subscription": {
            "client_id": change.client_id, "op": change.op, "runs": list(change.runs),
            "projects": list(change.projects), "owner": change.owner}}))

    def close(self) -> None:
        self._stopping.set()
        self._outbox.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=5.0)
        self._redis.close()

    def _subscribe(self) -> Any:
        """A subscription Redis has confirmed (what is published later reaches it)."""
        pubsub = self._redis.pubsub()
        pubsub.subscribe(self._channel)
        deadline = time.monotonic() + _CONFIRM_S
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=_POLL_S)
            if message is not None and message.get("type") == "subscribe":
                return pubsub
        pubsub.close()
        raise redis.TimeoutError(f"Redis did not confirm the subscription to {self._channel} within {_CONFIRM_S:.0f} s")

    def _listen(self, pubsub: Any) -> None:
        while not self._stopping.is_set():
            try:
                message = pubsub.get_message(timeout=_POLL_S)
            except redis.RedisError as exc:
                log.warning("event relay: Redis unreachable (%s); live events from other replicas wait", exc)
                pubsub.close()
                pubsub = self._resubscribe()
                continue
            if message is not None and message.get("type") == "message":
                self._dispatch(message["data"])
        pubsub.close()

    def _resubscribe(self) -> Any:
        while not self._stopping.wait(_RETRY_S):
            try:
                return self._subscribe()
            except redis.RedisError:
                continue
        return self._redis.pubsub()

    def _dispatch(self, raw: bytes) -> None:
        try:
            payload = json.loads(raw)
            if payload.get("origin") == self.replica:
                return  # our own, delivered already
            if "subscription" in payload:
                change = _change(payload["subscription"])
                if self._subscribed is not None:
                    self._subscribed(change)
                return
            event = EVENT_ADAPTER.validate_python(payload["event"])
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
            log.warning("event relay: dropped a message that is neither an event nor a subscription (%s)",
                        type(exc).__name__)
            return
        owner = payload.get("owner")
        event._owner = owner if isinstance(owner, str) else None
        self._deliver(event)

    def _publish(self) -> None:
        while (item := self._outbox.get()) is not _STOP:
            try:
                self._redis.publish(self._channel, str(item))
            except redis.RedisError as exc:
                # Stored already: the other replicas' clients get it on replay.
                log.warning("event relay: could not publish an event (%s)", exc)


def _change(raw: Any) -> SubscriptionChange:
    """A subscription change from the channel, every field checked (ValueError otherwise)."""
    names = (raw.get("runs") or [], raw.get("projects") or [])
    if (not isinstance(raw.get("client_id"), str) or raw.get("op") not in ("subscribe", "unsubscribe", "own")
            or not all(isinstance(items, list) and all(isinstance(item, str) for item in items) for items in names)
            or not isinstance(raw.get("owner"), str | None)):
        raise ValueError("not a subscription change")
    return SubscriptionChange(raw["client_id"], raw["op"], tuple(names[0]), tuple(names[1]), raw.get("owner"))
