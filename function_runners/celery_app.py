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

from .settings import CelerySettings
from .tiers import TIER_NAMES

RUN_NODE = "auteur.run_node"
RESULT_KEY_PREFIX = "celery-task-meta-"  # where Celery's Redis backend stores a result
DEFAULT_TIER = "standard"
WORKER_TIER_ENV = "AUTEUR_WORKER_TIER"
UNACKED_MUTEX_EXPIRE_S = 10
EXCHANGE = Exchange("auteur", type="direct")  # type: ignore[no-untyped-call]


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
        # A worker killed during its sweep leaves the sweepers' lock behind: kombu's 5 minutes
        # would hold back every redelivery that long. A sweep takes milliseconds, and a tag is
        # restored once even if two sweeps overlap (a watched transaction).
        "unacked_mutex_expire": UNACKED_MUTEX_EXPIRE_S,
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
