"""`auteur.run_node`: the Celery task that runs one node on a worker of its tier.

Runs in a prefork pool process, which becomes the leader of its own process group at
start: a cancelled node that does not stop cooperatively is killed together with every
process it started (ffmpeg) by one `killpg`. The pool process then dies, Celery puts the
task back on its queue (reject on worker lost), and the redelivery sees the cancel flag
and answers "cancelled" without running anything.

Failures of the node itself are results, never retries; only transient broker errors
(Redis unreachable) are retried, with exponential backoff.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self

import redis
from celery import Celery, Task
from celery.signals import worker_process_init

from nodes.sdk import ModelCache, NodeRegistry, SharedSettings, discover

from . import idempotency
from .celery_app import RUN_NODE, WORKER_TIER_ENV, tier_of_queue
from .execute import execute_task
from .redis_channels import TaskPublisher, count_attempt, is_cancel_flagged
from .result_cache import ResultCache
from .settings import CelerySettings
from .task import NodeResult, NodeTask, TaskError, TaskTimings

TRANSIENT_ERRORS = (redis.ConnectionError, redis.TimeoutError)
CANCEL_POLL_S = 0.1
log = logging.getLogger("auteur.celery")


def runner_label(tier: str, host: str, pid: int) -> str:
    """What the run record shows as the node's runner: tier, host and process."""
    return f"celery:{tier}:{host}:{pid}"


@dataclass
class WorkerState:
    """Per pool process: its Redis client, warm models and node registries."""

    settings: CelerySettings
    client: redis.Redis
    host: str = field(default_factory=socket.gethostname)
    models: ModelCache = field(default_factory=ModelCache)
    registries: dict[tuple[str, ...] | None, NodeRegistry] = field(default_factory=dict)
    caches: dict[str, ResultCache] = field(default_factory=dict)
    group_leader: bool = False

    def cache(self, workspace_root: str) -> ResultCache:
        if workspace_root not in self.caches:
            self.caches[workspace_root] = idempotency.open_cache(workspace_root, self.settings.database_url)
        return self.caches[workspace_root]

    def registry(self, load_plugins: list[str] | None) -> NodeRegistry:
        only = load_plugins if load_plugins is not None else _env_plugins()
        key = tuple(only) if only is not None else None
        if key not in self.registries:
            self.registries[key] = discover(only=only)
        return self.registries[key]


# Process-level worker state (not reachable from nodes, which only see their RunContext),
# keyed by pid so a forked pool process never reuses its parent's Redis connection.
_state: dict[int, WorkerState] = {}
_GROUP_LEADER: set[int] = set()


def worker_state(settings: CelerySettings) -> WorkerState:
    pid = os.getpid()
    if pid not in _state:
        _state.clear()
        _state[pid] = WorkerState(settings=settings, client=redis.Redis.from_url(settings.broker))
    return _state[pid]


def _env_plugins() -> list[str] | None:
    return SharedSettings().load_plugins


def _become_group_leader(**_: Any) -> None:
    """Each pool process leads its own group, so cancelling kills the node's children too."""
    try:
        os.setsid()
    except OSError:  # already a group leader
        pass
    _state.clear()
    _GROUP_LEADER.add(os.getpid())


worker_process_init.connect(_become_group_leader, weak=False, dispatch_uid="auteur-own-process-group")


class CancelWatch:
    """Polls a task's cancel flag in a thread. Once set, the node sees `is_set()`; if it is
    still running after the grace period, the whole process group is killed."""

    def __init__(self, client: redis.Redis, task_id: str, grace_s: float, publisher: TaskPublisher) -> None:
        self.client, self.task_id, self.grace_s = client, task_id, grace_s
        self.publisher = publisher
        self._cancelled = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="auteur-cancel-watch", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=1)

    def is_set(self) -> bool:
        return self._cancelled.is_set()

    def _watch(self) -> None:
        while not self._done.wait(CANCEL_POLL_S):
            try:
                flagged = is_cancel_flagged(self.client, self.task_id)
            except redis.RedisError:
                continue
            if flagged:
                self._cancelled.set()
                if not self._done.wait(self.grace_s):
                    self._kill()
                return

    def _kill(self) -> None:
        self.publisher.killed()
        if os.getpid() in _GROUP_LEADER:
            log.warning("task %s ignored its cancel flag: killing process group", self.task_id)
            os.killpg(os.getpgrp(), signal.SIGKILL)
        # Outside a prefork pool (solo pool, tests) only cooperative cancellation applies.


def _quick_result(label: str, *, outputs: dict[str, Any] | None = None,
                  error: TaskError | None = None) -> NodeResult:
    now = time.time()
    return NodeResult(outputs=outputs, error=error, runner=label,
                      timings=TaskTimings(started_at=now, finished_at=now))


def run_node(self: Task, task: dict[str, Any]) -> dict[str, Any]:
    """Run one NodeTask; answer on the task's Redis channel and as the Celery result."""
    settings = self.app.conf.get("auteur") or CelerySettings()
    state = worker_state(settings)
    node_task = NodeTask.model_validate(task)
    task_id = str(self.request.id)
    tier = os.environ.get(WORKER_TIER_ENV) or tier_of_queue(
        (self.request.delivery_info or {}).get("routing_key")) or node_task.tier
    label = runner_label(tier, state.host, os.getpid())
    publisher = TaskPublisher(state.client, task_id, label)
    result = _run(node_task, task_id, state, label, publisher)
    publisher.result(result.model_dump(mode="json"))
    return result.model_dump(mode="json")


def _run(task: NodeTask, task_id: str, state: WorkerState, label: str,
         publisher: TaskPublisher) -> NodeResult:
    client, settings = state.client, state.settings
    attempts, cancelled = count_attempt(client, task_id, settings.celery_visibility_timeout_s * 2)
    if cancelled:
        return _quick_result(label, error=TaskError(
            code="cancelled", error_type="NodeCancelledError", message=f"node {task.node_id} cancelled"))
    if attempts > settings.celery_max_deliveries:
        return _quick_result(label, error=TaskError(
            code="runner_crashed", error_type="RunnerProcessDied",
            message=f"node {task.node_id} ({task.type}) killed its worker process "
                    f"{attempts - 1} times; giving up", details={"attempts": attempts - 1}))
    registry = state.registry(task.load_plugins)
    spec = registry.spec(task.type)
    # Every node is deduplicated by its cache key, side-effect nodes (cache=False) included:
    # their key carries the run's nonce, so it only ever matches a redelivery of this very task
    # (a second take, a second playback) and never another run.
    cacheable = spec is not None
    cache = state.cache(task.workspace_root)
    if cacheable and (done := idempotency.lookup(cache, task)) is not None:
        return _quick_result(label, outputs=done)  # a redelivery: the first run finished
    publisher.started()
    with CancelWatch(client, task_id, settings.celery_cancel_grace_s, publisher) as watch:
        result = execute_task(task, registry, state.models, runner=label,
                              progress=publisher.progress, is_cancelled=watch.is_set,
                              emit=publisher.event)
    if result.ok and cacheable:
        idempotency.store(cache, task, result.outputs or {})
    return result


def register(celery: Celery) -> None:
    """Register `auteur.run_node` on an app (routing comes from the app's `task_routes`)."""
    settings = celery.conf.get("auteur") or CelerySettings()
    celery.task(
        name=RUN_NODE,
        bind=True,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=True,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=settings.celery_retry_max,
    )(run_node)
