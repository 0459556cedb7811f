"""Redis names and messages shared by the Celery runner (server side) and its workers.

Per Celery task id:

- ``auteur:task:<id>``     pub/sub channel: ``started``, ``progress``, ``event``, ``result``
                           and ``killed`` messages from the worker to the server;
- ``auteur:cancel:<id>``   the cooperative cancel flag the worker polls;
- ``auteur:attempts:<id>`` how many times a worker started the task (crash-loop guard).

The server subscribes to the pattern ``auteur:task:*`` once, so no message published
after a submit can be missed by a late per-task subscribe.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import redis
from pydantic import BaseModel

TASK_CHANNEL_PREFIX = "auteur:task:"
TASK_CHANNEL_PATTERN = f"{TASK_CHANNEL_PREFIX}*"
CANCEL_PREFIX = "auteur:cancel:"
ATTEMPTS_PREFIX = "auteur:attempts:"
FLAG_TTL_S = 24 * 3600
PROGRESS_INTERVAL_S = 0.05

MessageKind = Literal["started", "progress", "event", "result", "killed"]


def task_channel(task_id: str) -> str:
    return f"{TASK_CHANNEL_PREFIX}{task_id}"


def task_id_of(channel: str | bytes) -> str:
    name = channel.decode() if isinstance(channel, bytes) else channel
    return name.removeprefix(TASK_CHANNEL_PREFIX)


def cancel_key(task_id: str) -> str:
    return f"{CANCEL_PREFIX}{task_id}"


def attempts_key(task_id: str) -> str:
    return f"{ATTEMPTS_PREFIX}{task_id}"


class TaskMessage(BaseModel):
    """One message on a task channel; which fields are set depends on `kind`."""

    kind: MessageKind
    fraction: float | None = None
    step: str | None = None
    event_type: str | None = None
    data: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    worker: str | None = None


class TaskPublisher:
    """Worker side: publish a task's messages. Progress is throttled; a lost progress
    message never fails the node (the result is also kept by the Celery result backend)."""

    def __init__(self, client: redis.Redis, task_id: str, worker: str) -> None:
        self.client = client
        self.channel = task_channel(task_id)
        self.worker = worker
        self._last_progress = 0.0

    def publish(self, message: TaskMessage, *, required: bool = False) -> None:
        try:
            self.client.publish(self.channel, message.model_dump_json(exclude_none=True))
        except redis.RedisError:
            if required:
                raise

    def started(self) -> None:
        self.publish(TaskMessage(kind="started", worker=self.worker))

    def progress(self, fraction: float, step: str | None) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self.publish(TaskMessage(kind="progress", fraction=fraction, step=step))

    def event(self, event_type: str, data: dict[str, Any]) -> None:
        self.publish(TaskMessage(kind="event", event_type=event_type, data=data))

    def result(self, result: dict[str, Any]) -> None:
        self.publish(TaskMessage(kind="result", result=result, worker=self.worker))

    def killed(self) -> None:
        self.publish(TaskMessage(kind="killed", worker=self.worker))


def set_cancel_flag(client: redis.Redis, task_id: str) -> None:
    client.set(cancel_key(task_id), b"1", ex=FLAG_TTL_S)


def is_cancel_flagged(client: redis.Redis, task_id: str) -> bool:
    return bool(client.exists(cancel_key(task_id)))


def count_attempt(client: redis.Redis, task_id: str, ttl_s: int) -> tuple[int, bool]:
    """Record one more start of `task_id`: how many there have been, and whether the task
    is already cancelled (one round trip for both)."""
    pipe = client.pipeline(transaction=False)
    pipe.incr(attempts_key(task_id))
    pipe.expire(attempts_key(task_id), ttl_s)
    pipe.exists(cancel_key(task_id))
    attempts, _, flagged = pipe.execute()
    return int(attempts), bool(flagged)
