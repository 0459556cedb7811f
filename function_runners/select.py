"""Choosing the Function Runner: Celery workers when a broker is configured, else local."""

from __future__ import annotations

from .base import Runner
from .local import LocalRunner


def make_runner(
    *,
    broker_url: str | None,
    workers: int | None = None,
    load_plugins: list[str] | None = None,
    celery_capacity: int | None = None,
) -> Runner:
    """`CeleryRunner(broker_url)` when `broker_url` (AUTEUR_BROKER_URL) is set, else a
    `LocalRunner` of `workers` processes. Call `await runner.start()` before use."""
    if broker_url:
        from .celery_runner import (  # celery and redis: only when used
            DEFAULT_CAPACITY,
            CeleryRunner,
        )

        return CeleryRunner(broker_url, capacity=celery_capacity or DEFAULT_CAPACITY)
    return LocalRunner(workers=workers, load_plugins=load_plugins)
