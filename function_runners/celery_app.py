"""The Celery application: configuration only (routing, delivery guarantees, expiry).

Routing is configuration, not task attributes: `task_routes` sends `auteur.run_node` to
the queue of the task's tier (`auteur.low`, `auteur.standard`, `auteur.high`).
Delivery is at-least-once: `task_acks_late` plus `task_reject_on_worker_lost` put a task
back on its queue when its worker dies, which is safe because tasks are idempotent
(content-addressed outputs, see `idempotency`).

`celery -A function_runners.celery_app worker -Q auteur.low` finds the module-level `app`
(Celery's convention); `auteur worker --tier low` is the supported way to start one.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Exchange, Queue  # type: ignore[attr-defined]
from pydantic import Field

from nodes.sdk import SharedSettings

from .tiers import TIER_NAMES

RUN_NODE = "auteur.run_node"
RESULT_KEY_PREFIX = "celery-task-meta-"  # where Celery's Redis backend stores a result
DEFAULT_TIER = "standard"
WORKER_TIER_ENV = "AUTEUR_WORKER_TIER"
EXCHANGE = Exchange("auteur", type="direct")  # type: ignore[no-untyped-call]


DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


class CelerySettings(SharedSettings):
    """Celery runner settings, read from `AUTEUR_BROKER_URL` and `AUTEUR_CELERY_*` (the
    server's Settings extend them: each is declared once)."""

    broker_url: str | None = Field(None, description="Redis URL; when set, nodes run on Celery workers")
    celery_result_backend: str | None = Field(None, description="Result store (default: the broker)")
    celery_visibility_timeout_s: int = Field(
        6 * 3600, description="Seconds before an unacknowledged task is redelivered; "
        "must exceed the longest node run")
    celery_restore_interval_s: int = Field(
        10, description="Seconds between sweeps that redeliver tasks of dead workers")
    celery_result_expires_s: int = Field(24 * 3600, description="Seconds task results are kept")
    celery_max_tasks_per_child: int = Field(
        200, description="Tasks a worker process runs before it is replaced (frees memory)")
    celery_cancel_grace_s: float = Field(
        0.5, description="Seconds a cancelled node may take to stop before its process group is killed")
    celery_max_deliveries: int = Field(
        3, description="Starts of one task (crash redeliveries) before it is reported failed")
    celery_retry_max: int = Field(5, description="Retries of a task after a transient broker error")

    @property
    def broker(self) -> str:
        """The broker a worker or a client connects to (a local Redis unless configured)."""
        return self.broker_url or DEFAULT_BROKER


def queue_for(tier: str) -> str:
    return f"auteur.{tier}"


def tier_of_queue(queue: str | None) -> str | None:
    if queue and queue.startswith("auteur.") and queue.removeprefix("auteur.") in TIER_NAMES:
        return queue.removeprefix("auteur.")
    return None


def route_by_tier(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **extra: Any
) -> dict[str, str] | None:
    """Celery router: `auteur.run_node` goes to the queue of its payload's tier."""
    if name != RUN_NODE:
        return None
    payload = (kwargs or {}).get("task") or {}
    tier = payload.get("tier") if isinstance(payload, dict) else None
    return {"queue": queue_for(tier if tier in TIER_NAMES else DEFAULT_TIER)}


def celery_config(settings: CelerySettings) -> dict[str, Any]:
    transport = {
        "visibility_timeout": settings.celery_visibility_timeout_s,
        "unacked_restore_interval": settings.celery_restore_interval_s,
        "unacked_restore_throttle": 1,
    }
    return {
        "broker_url": settings.broker,
        "result_backend": settings.celery_result_backend or settings.broker,
        "task_queues": [
            Queue(queue_for(tier), EXCHANGE, routing_key=queue_for(tier))  # type: ignore[no-untyped-call]
            for tier in TIER_NAMES
        ],
        "task_default_queue": queue_for(DEFAULT_TIER),
        "task_default_exchange": EXCHANGE.name,
        "task_default_routing_key": queue_for(DEFAULT_TIER),
        "task_routes": (route_by_tier,),
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": settings.celery_max_tasks_per_child,
        # Unacknowledged tasks are redelivered anyway; do not keep running them blind.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": settings.celery_visibility_timeout_s},
        "result_expires": settings.celery_result_expires_s,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2.0,
    }


def create_app(settings: CelerySettings | None = None, *, client: bool = False) -> Celery:
    """A configured Celery app with `auteur.run_node` registered. A `client` app only
    sends: its result backend is disabled, because Celery's Redis backend would otherwise
    subscribe to every sent task's result channel and never let go (the CeleryRunner
    reads results from its own subscription and the stored result key instead)."""
    from .celery_tasks import register  # the task module needs the app's name only

    settings = settings or CelerySettings()
    celery = Celery("auteur", set_as_current=False)
    celery.conf.update(celery_config(settings))
    if client:
        celery.conf.result_backend = "disabled"
    celery.conf.auteur = settings
    register(celery)
    return celery


app = create_app()
