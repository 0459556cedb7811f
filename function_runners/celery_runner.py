"""The Celery Function Runner: submits node tasks to the tier queues, relays their progress.

The server stays the single orchestrator of a run's graph; a worker only ever runs one
node. One pattern subscription (`auteur:task:*`) carries every task's progress, events
and result back; the Celery result backend is polled as a fallback, so a result
published while the subscription was reconnecting is not lost.

Errors: `BrokerUnavailableError` (code `broker_unavailable`) when Redis cannot be reached
at submit time; the executor turns it into a failed node, and a server queue may check
`healthy()` before starting a run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from celery import Celery
from kombu.exceptions import OperationalError

from nodes.sdk import AuteurError

from .base import TaskCallbacks
from .celery_app import RESULT_KEY_PREFIX, RUN_NODE, create_app
from .redis_channels import FLAG_TTL_S, TASK_CHANNEL_PATTERN, TaskMessage, cancel_key, task_id_of
from .settings import CelerySettings
from .task import NodeResult, NodeTask, TaskError, TaskTimings

DEFAULT_CAPACITY = 16
READY_WAIT_S = 2.0
RESULT_POLL_S = 1.0
CANCEL_WAIT_S = 3.0
BROKER_LOST_S = 60.0
log = logging.getLogger("auteur.celery")


class BrokerUnavailableError(AuteurError):
    """Redis (the Celery broker) cannot be reached; nothing was submitted."""

    code = "broker_unavailable"


@dataclass
class _Pending:
    callbacks: TaskCallbacks
    result: asyncio.Future[NodeResult]
    started: bool = False
    stopped: asyncio.Event = field(default_factory=asyncio.Event)  # result or killed


def safe_broker(url: str) -> str:
    """The broker URL without credentials, for labels and messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}:{parts.port or 6379}{parts.path}"


class CeleryRunner:
    """Dispatches node tasks to Celery workers; `capacity` is tasks in flight per tier."""

    def __init__(self, broker_url: str, *, capacity: int = DEFAULT_CAPACITY,
                 settings: CelerySettings | None = None) -> None:
        self.broker_url = broker_url
        self.settings = (settings or CelerySettings()).model_copy(update={"broker_url": broker_url})
        self.name = f"celery:{safe_broker(broker_url)}"
        self._capacity = capacity
        self._pending: dict[str, _Pending] = {}
        self._ready = asyncio.Event()
        self._celery: Celery | None = None
        self._redis: aioredis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None

    def capacity(self, tier: str) -> int:
        return self._capacity

    async def start(self) -> None:
        self._celery = create_app(self.settings, client=True)
        self._redis = aioredis.Redis.from_url(self.broker_url, socket_connect_timeout=1.0)
        self._listener = asyncio.create_task(self._listen(), name="auteur-celery-listener")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._redis is not None:
            await self._redis.aclose()
        if self._celery is not None:
            self._celery.close()

    def healthy(self) -> bool:
        """Whether the broker answers a ping right now (blocks at most about a second)."""
        client = redis.Redis.from_url(self.broker_url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    async def run(self, task: NodeTask, callbacks: TaskCallbacks) -> NodeResult:
        task_id = uuid.uuid4().hex
        pending = _Pending(callbacks, asyncio.get_running_loop().create_future())
        self._pending[task_id] = pending
        try:
            await self._submit(task, task_id)
            return await self._wait(task_id, pending)
        except asyncio.CancelledError:
            await self._cancel(task_id, pending)
            raise
        finally:
            self._pending.pop(task_id, None)

    # -- submit and wait ----------------------------------------------------------------

    async def _submit(self, task: NodeTask, task_id: str) -> None:
        assert self._celery is not None, "CeleryRunner.start() was not awaited"
        try:
            await asyncio.wait_for(self._ready.wait(), READY_WAIT_S)
        except TimeoutError:
            raise self._unavailable(task) from None
        try:
            await asyncio.to_thread(self._celery.send_task, RUN_NODE, kwargs={
                "task": task.model_dump(mode="json")}, task_id=task_id, retry=False)
        except (OperationalError, redis.RedisError, OSError) as exc:
            raise self._unavailable(task) from exc

    def _unavailable(self, task: NodeTask) -> BrokerUnavailableError:
        return BrokerUnavailableError(
            f"the Celery broker at {safe_broker(self.broker_url)} is unreachable; node "
            f"{task.node_id} ({task.type}) was not submitted — start Redis or unset AUTEUR_BROKER_URL",
            details={"broker": safe_broker(self.broker_url), "node_id": task.node_id})

    async def _wait(self, task_id: str, pending: _Pending) -> NodeResult:
        lost_since: float | None = None
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(pending.result), RESULT_POLL_S)
            except TimeoutError:
                pass
            try:
                stored = await self._stored_result(task_id)
                lost_since = None
            except redis.RedisError as exc:
                lost_since = lost_since or time.monotonic()
                if time.monotonic() - lost_since > BROKER_LOST_S:
                    raise BrokerUnavailableError(
                        f"lost the Celery broker for {BROKER_LOST_S:.0f} s while a node ran",
                        details={"broker": safe_broker(self.broker_url)}) from exc
                continue
            if stored is not None:
                return stored

    async def _stored_result(self, task_id: str) -> NodeResult | None:
        """The result the Celery backend holds, or a failure it recorded (retries exhausted)."""
        assert self._redis is not None
        raw = await self._redis.get(f"{RESULT_KEY_PREFIX}{task_id}")
        if raw is None:
            return None
        meta: dict[str, Any] = json.loads(raw)
        if meta.get("status") == "SUCCESS":
            return NodeResult.model_validate(meta["result"])
        if meta.get("status") in ("FAILURE", "REVOKED"):
            now = time.time()
            error = TaskError(code="runner_failed", error_type=str(meta.get("status")),
                              message=f"Celery task failed: {meta.get('result')!r}",
                              traceback=str(meta.get("traceback") or ""))
            return NodeResult(runner=self.name, error=error,
                              timings=TaskTimings(started_at=now, finished_at=now))
        return None

    # -- cancel -------------------------------------------------------------------------

    async def _cancel(self, task_id: str, pending: _Pending) -> None:
        """Raise the cancel flag; if a worker has the task, wait until it stopped or was killed."""
        assert self._redis is not None
        try:
            await self._redis.set(cancel_key(task_id), b"1", ex=FLAG_TTL_S)
        except redis.RedisError:
            log.warning("could not flag task %s cancelled: broker unreachable", task_id)
            return
        if pending.started or pending.result.done():
            try:
                await asyncio.wait_for(pending.stopped.wait(), CANCEL_WAIT_S)
            except TimeoutError:
                log.warning("worker did not confirm cancelling task %s", task_id)

    # -- the subscription ---------------------------------------------------------------

    async def _listen(self) -> None:
        """Receive every task message; reconnect with backoff while Redis is away."""
        assert self._redis is not None
        backoff = 0.1
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(TASK_CHANNEL_PATTERN)
                self._ready.set()
                backoff = 0.1
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._deliver(task_id_of(message["channel"]), message["data"])
            except (redis.RedisError, OSError):
                self._ready.clear()
                await asyncio.sleep(backoff)
                backoff = min(2.0, backoff * 2)
            finally:
                await pubsub.aclose()

    def _deliver(self, task_id: str, data: bytes) -> None:
        pending = self._pending.get(task_id)
        if pending is None:
            return  # another server's task, or one we stopped waiting for
        message = TaskMessage.model_validate_json(data)
        if message.kind == "started":
            pending.started = True
        elif message.kind == "progress" and message.fraction is not None:
            pending.callbacks.progress(message.fraction, message.step)
        elif message.kind == "event" and message.event_type:
            pending.callbacks.emit(message.event_type, message.data or {})
        elif message.kind == "result" and message.result is not None:
            if not pending.result.done():
                pending.result.set_result(NodeResult.model_validate(message.result))
            pending.stopped.set()
        elif message.kind == "killed":
            pending.stopped.set()
